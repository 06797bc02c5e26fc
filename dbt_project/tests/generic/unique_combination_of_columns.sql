{#- The combination of the given columns is unique (compound keys). Nulls compare equal.
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [kode_pemda, kode_opd] -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grouped as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
),

final as (
    select * from grouped where n_rows > 1
)

select * from final

{% endtest %}
