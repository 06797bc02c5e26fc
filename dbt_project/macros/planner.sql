{#- A table model is built from whole inputs, most of them views whose computed filters (normalised codes,
    versi ranks) leave PostgreSQL estimating a handful of rows where there are hundreds of thousands: it
    then picks nested loops or merge joins on one key with the other keys as a filter, whose cost grows
    with the square of the rows. Measured on provinsi (15 pemda, 2026-12-06): int_anggaran_kas_berlaku
    716 s, int_anggaran_pagu_bulanan 317 s, pub_ikm_unit 9.5 s, int_ikm_layanan_semester 8.6 s; with hash
    joins 11.9, 1.3, 1.6 and 0.9 s, the same rows. So a table model's build plans hash joins only
    (`set local`: this transaction, this model). An incremental model is left as it is: its delete+insert
    reads one partition through an index. -#}
{% macro plan_whole_table_joins() -%}
    {%- if config.get('materialized') == 'table' -%}
        set local enable_nestloop = off; set local enable_mergejoin = off
    {%- endif -%}
{%- endmacro %}
