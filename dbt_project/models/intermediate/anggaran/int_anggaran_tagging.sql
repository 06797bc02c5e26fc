{#- Priority-program tags of the budget lines of the latest versi: one row per pemda x tahun x
    OPD x sub kegiatan x rekening x tag (a line with two tags appears under both). -#}
with

pagu_lines as (
    select * from {{ ref('int_anggaran_pagu_terakhir') }}
    where tagging is not null
),

unnested as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        kode_sub_kegiatan,
        kode_rekening,
        pagu,
        unnest(string_to_array(tagging, ',')) as tagging
    from pagu_lines
),

final as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        kode_sub_kegiatan,
        kode_rekening,
        tagging,
        sum(pagu) as pagu
    from unnested
    group by kode_pemda, kode_opd, opd_key, tahun, kode_sub_kegiatan, kode_rekening, tagging
)

select * from final
