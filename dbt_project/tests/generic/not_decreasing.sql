{#- Within each partition, ordered by order_by, the column never decreases (cumulative series).
    data_tests:
      - not_decreasing:
          arguments:
            partition_by: [opd_key, tahun, kode_jenis_belanja]
            order_by: bulan -#}
{% test not_decreasing(model, column_name, partition_by, order_by) %}

with

ordered as (
    select
        {{ partition_by | join(', ') }},
        {{ order_by }} as urutan,
        {{ column_name }} as nilai,
        lag({{ column_name }}) over (
            partition by {{ partition_by | join(', ') }}
            order by {{ order_by }}
        ) as nilai_sebelumnya
    from {{ model }}
),

final as (
    select * from ordered where nilai < nilai_sebelumnya
)

select * from final

{% endtest %}
