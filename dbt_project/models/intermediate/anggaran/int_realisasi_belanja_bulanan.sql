{#- SP2D payments summed per pemda x OPD x tahun x jenis belanja (level 3, e.g. 5.1.02) x month. -#}
with

realisasi as (
    select * from {{ ref('stg_opd__realisasi_belanja') }}
),

resolved as (
    {{ resolve_opd('realisasi') }}
),

final as (
    select
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        kode_jenis_belanja,
        bulan,
        sum(nilai) as realisasi_bulan,
        count(*) as jumlah_sp2d
    from resolved
    group by _kode_pemda, kode_opd, opd_key, tahun, kode_jenis_belanja, bulan
)

select * from final
