{#- One row per anggaran kas line (tahun x tahapan x sub kegiatan x rekening x month) of a current
    file, OPD resolved. -#}
with

kas as (
    select * from {{ ref('stg_opd__anggaran_kas') }}
),

resolved as (
    {{ resolve_opd('kas') }}
),

final as (
    select
        _file_id || '|' || coalesce(_sheet, '') || '|' || _row_number as anggaran_kas_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        versi,
        kode_sub_kegiatan,
        kode_rekening,
        kode_jenis_belanja,
        bulan,
        rencana,
        _file_id
    from resolved
)

select * from final
