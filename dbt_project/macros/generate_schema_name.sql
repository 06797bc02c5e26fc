{#- Schemas are used exactly as named in dbt_project.yml (ref, staging, intermediate, marts,
    snapshots); a model without a custom schema goes to the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
