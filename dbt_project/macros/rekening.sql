{#- Account chart helpers (Permendagri 90/2019): akun . kelompok . jenis . objek . rincian . sub rincian -#}

{#- the first `levels` segments of a dotted code: rekening_prefix('5.1.02.01.01.0024', 3) -> 5.1.02 -#}
{% macro rekening_prefix(column, levels) -%}
    case
        when array_length(string_to_array({{ column }}, '.'), 1) >= {{ levels }}
            then array_to_string((string_to_array({{ column }}, '.'))[1:{{ levels }}], '.')
    end
{%- endmacro %}

{#- number of segments of a dotted code -#}
{% macro rekening_level(column) -%}
    array_length(string_to_array({{ column }}, '.'), 1)
{%- endmacro %}
