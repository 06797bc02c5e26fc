{#- Every non-null value lies in [min_value, max_value]. -#}
{% test between_values(model, column_name, min_value, max_value) %}

with

final as (
    select {{ column_name }} as nilai
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
)

select * from final

{% endtest %}
