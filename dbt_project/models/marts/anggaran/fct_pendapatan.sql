{#- One row per revenue line (OPD x tahun x bulan x rekening) of a current file, OPD resolved. -#}
with

pendapatan as (
    select * from {{ ref('stg_opd__pendapatan') }}
),

resolved as (
    {{ resolve_opd('pendapatan') }}
),

final as (
    select
        _file_id || '|' || coalesce(_sheet, '') || '|' || _row_number as pendapatan_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        bulan,
        kode_rekening,
        kode_jenis_pendapatan,
        target,
        realisasi,
        _file_id
    from resolved
)

select * from final
