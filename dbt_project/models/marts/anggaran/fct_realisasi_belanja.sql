{#- One row per SP2D line, OPD resolved, with the jenis belanja and the pagu version context. -#}
with

realisasi as (
    select * from {{ ref('stg_opd__realisasi_belanja') }}
),

resolved as (
    {{ resolve_opd('realisasi') }}
),

final as (
    select
        _file_id || '|' || coalesce(_sheet, '') || '|' || _row_number as realisasi_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        nomor_sp2d,
        tanggal_sp2d,
        bulan,
        kode_sub_kegiatan,
        kode_rekening,
        kode_jenis_belanja,
        nilai,
        _file_id
    from resolved
)

select * from final
