{#- One row per complaint ticket line of a current file, OPD resolved, with days to follow-up. -#}
with

pengaduan as (
    select * from {{ ref('stg_opd__pengaduan') }}
),

resolved as (
    {{ resolve_opd('pengaduan') }}
),

final as (
    select
        _file_id || '|' || coalesce(_sheet, '') || '|' || _row_number as pengaduan_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        nomor_tiket,
        tanggal,
        kategori,
        status,
        tanggal_tindak_lanjut,
        tanggal_tindak_lanjut - tanggal as hari_tindak_lanjut,
        _file_id
    from resolved
)

select * from final
