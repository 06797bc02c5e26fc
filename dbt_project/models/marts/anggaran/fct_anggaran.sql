{#- One row per budget line of the latest versi per pemda x tahun x OPD (PERUBAHAN if the OPD
    has it, else MURNI). -#}
with

pagu_lines as (
    select * from {{ ref('int_anggaran_pagu_terakhir') }}
),

final as (
    select
        _file_id || '|' || _row_number as anggaran_key,
        *
    from pagu_lines
)

select * from final
