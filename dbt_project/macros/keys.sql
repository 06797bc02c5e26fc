{#- Surrogate keys for compound natural keys, readable on purpose (no hashing). -#}

{#- an OPD of a pemda: `18.72|1.02.0.00.0.00.01.0000` -#}
{% macro opd_key(kode_pemda, kode_opd) -%}
    ({{ kode_pemda }} || '|' || {{ kode_opd }})
{%- endmacro %}

{#- a service of an OPD: `18.72|2.18.0.00.0.00.01.0000|IMB-01` -#}
{% macro layanan_key(kode_pemda, kode_opd, kode_layanan) -%}
    ({{ kode_pemda }} || '|' || {{ kode_opd }} || '|' || {{ kode_layanan }})
{%- endmacro %}
