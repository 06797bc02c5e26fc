{#- Open Data Jabar leading columns, from dim_pemda aliased as `pemda` -#}
{% macro wilayah_columns(alias='pemda') -%}
    {{ alias }}.kode_provinsi,
    {{ alias }}.nama_provinsi,
    {{ alias }}.kode_kabupaten_kota,
    {{ alias }}.nama_kabupaten_kota
{%- endmacro %}

{#- small-count suppression for person-based tables: counts 1..(threshold-1) -> null -#}
{% macro suppress_small(count_column, threshold=none) -%}
    case
        when {{ count_column }} < {{ threshold if threshold is not none else var('ambang_supresi') }}
            then null
        else {{ count_column }}
    end
{%- endmacro %}

{% macro is_suppressed(count_column, threshold=none) -%}
    ({{ count_column }} < {{ threshold if threshold is not none else var('ambang_supresi') }})
{%- endmacro %}

{#- percentage a / b x 100, null when b is 0 or null, rounded to `digits` -#}
{% macro persen(numerator, denominator, digits=2) -%}
    round(100.0 * {{ numerator }} / nullif({{ denominator }}, 0), {{ digits }})
{%- endmacro %}
