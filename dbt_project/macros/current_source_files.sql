{#- Filter for staging: only rows of CURRENT files (not superseded by a corrected file, and loaded).
    Usage: `where {{ only_current_files() }}` -#}
{% macro only_current_files(file_id_column='_file_id') -%}
    {{ file_id_column }} in (
        select file_id
        from {{ source('audit', 'source_file') }}
        where superseded_by is null
            and status in ('loaded', 'loaded_with_warnings')
    )
{%- endmacro %}
