{#- Open Data Jabar leading columns, from dim_pemda aliased as `pemda` -#}
{% macro wilayah_columns(alias='pemda') -%}
    {{ alias }}.kode_provinsi,
    {{ alias }}.nama_provinsi,
    {{ alias }}.kode_kabupaten_kota,
    {{ alias }}.nama_kabupaten_kota
{%- endmacro %}

{#- Primary suppression of person counts (spec section 6): counts 1..(ambang_supresi - 1) -> null;
    zeros stay (a complete grid publishes them). The threshold is declared once, var ambang_supresi in
    dbt_project.yml; the publisher reads the same var and adds complementary suppression
    (satudata/publish/disclosure.py). -#}
{% macro suppress_small(count_column, threshold=none) -%}
    case
        when {{ is_suppressed(count_column, threshold) }}
            then null
        else {{ count_column }}
    end
{%- endmacro %}

{% macro is_suppressed(count_column, threshold=none) -%}
    ({{ count_column }} > 0 and {{ count_column }} < {{ threshold if threshold is not none else var('ambang_supresi') }})
{%- endmacro %}

{#- Dominance rule of a distribution: true when one category holds at least var ambang_dominasi_persen %
    of the people of its group (`partition_by`), so publishing it would tell each person's category. -#}
{% macro is_dominated(count_column, partition_by) -%}
    (
        sum({{ count_column }}) over (partition by {{ partition_by }}) > 0
        and max({{ count_column }}) over (partition by {{ partition_by }})
            >= {{ var('ambang_dominasi_persen') }} / 100.0 * sum({{ count_column }}) over (partition by {{ partition_by }})
    )
{%- endmacro %}

{#- percentage a / b x 100, null when b is 0 or null, rounded to `digits` -#}
{% macro persen(numerator, denominator, digits=2) -%}
    round(100.0 * {{ numerator }} / nullif({{ denominator }}, 0), {{ digits }})
{%- endmacro %}
