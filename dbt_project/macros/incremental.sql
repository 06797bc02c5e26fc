{#- Incremental facts (fct_realisasi_belanja, fct_pegawai_bulanan, fct_permohonan_layanan,
    fct_survei_kepuasan) are rebuilt one partition at a time: one pemda x one period of the landing
    slots (`_partisi` = `_kode_pemda|_period`, the unit a corrected file replaces), with
    delete+insert on `_partisi` (config in dbt_project.yml).

    A partition is rebuilt whole when the set of files behind its rows differs between the
    current source rows (staging: current files only) and the table: a new file, a corrected file
    that replaced the period of an older one, a file superseded. Loaded files never change, so the
    same files mean the same rows. Nothing is kept between runs but the table itself, so a failed
    or skipped run is caught up by the next one. A change of model code, macros, seeds or vars is
    not data: satudata/transform.py then runs `dbt build --full-refresh`.
-#}

{% macro partisi(kode_pemda='_kode_pemda', period='_period') -%}
    ({{ kode_pemda }} || '|' || coalesce({{ period }}, ''))
{%- endmacro %}


{#- The `_partisi` values to rebuild: those whose (partition, file) pairs differ between `source_relation`
    (which has `_kode_pemda`, `_period`, `_file_id`) and this model's table. -#}
{% macro changed_partitions(source_relation) -%}
    with source_files as (  -- each side is read once: a few thousand (partition, file) pairs
        select distinct {{ partisi() }} as _partisi, _file_id from {{ source_relation }}
    ),
    built_files as (
        select distinct _partisi, _file_id from {{ this }}
    ),
    added as (
        select * from source_files except select * from built_files
    ),
    removed as (
        select * from built_files except select * from source_files
    )
    select _partisi from added
    union
    select _partisi from removed
{%- endmacro %}
