{#- SKP predikat distribution per pemda x tahun x OPD x predikat. Person-based: counts under
    var('ambang_supresi') (5) are suppressed (null, disupresi = true). -#}
with

kinerja as (
    select * from {{ ref('fct_kinerja_pegawai') }}
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

counted as (
    select
        kode_pemda,
        opd_key,
        tahun,
        coalesce(predikat, 'TIDAK_DIKETAHUI') as predikat,
        count(*) as jumlah
    from kinerja
    group by kode_pemda, opd_key, tahun, coalesce(predikat, 'TIDAK_DIKETAHUI')
),

suppressed as (
    select
        *,
        {{ suppress_small('jumlah') }} as jumlah_pegawai,
        {{ is_suppressed('jumlah') }} as disupresi
    from counted
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        suppressed.predikat,
        suppressed.jumlah_pegawai,
        suppressed.disupresi,
        'ORANG' as satuan,
        suppressed.tahun
    from suppressed
    inner join opd
        on opd.opd_key = suppressed.opd_key
    inner join pemda
        on pemda.kode_pemda = suppressed.kode_pemda
)

select * from final
