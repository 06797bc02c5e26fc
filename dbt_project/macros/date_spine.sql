{#- One row per day from start_date to end_date inclusive, column `tanggal` (date).
    Arguments are SQL expressions, e.g. "'2020-01-01'" or "current_date". -#}
{% macro date_spine(start_date, end_date) -%}
    select day::date as tanggal
    from generate_series(
        cast({{ start_date }} as date),
        cast({{ end_date }} as date),
        interval '1 day'
    ) as day
{%- endmacro %}

{#- One row per month number 1..12, column `bulan` -#}
{% macro month_spine() -%}
    select bulan::int as bulan from generate_series(1, 12) as bulan
{%- endmacro %}
