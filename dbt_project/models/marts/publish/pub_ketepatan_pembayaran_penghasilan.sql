{#- Pay timeliness per pemda x OPD x periode x jenis penghasilan. No amounts are published
    (a run with one recipient would reveal individual pay). -#}
with

pembayaran as (
    select * from {{ ref('fct_pembayaran_penghasilan') }}
    where periode is not null
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

summed as (
    select
        kode_pemda,
        opd_key,
        periode,
        tahun,
        bulan,
        jenis_penghasilan,
        count(*) as jumlah_pembayaran,
        count(*) filter (where is_tepat_waktu) as jumlah_tepat_waktu,
        count(*) filter (where is_dibayar and not is_tepat_waktu) as jumlah_terlambat,
        coalesce(sum(hari_terlambat), 0) as total_hari_terlambat,
        max(hari_terlambat) as maks_hari_terlambat,
        count(*) filter (where is_belum_dibayar_lewat_jatuh_tempo) as jumlah_belum_dibayar_lewat_jatuh_tempo,
        max(tanggal_acuan) as tanggal_acuan
    from pembayaran
    group by kode_pemda, opd_key, periode, tahun, bulan, jenis_penghasilan
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        summed.periode,
        summed.bulan,
        summed.jenis_penghasilan,
        summed.jumlah_tepat_waktu,
        summed.jumlah_pembayaran,
        summed.jumlah_terlambat,
        summed.total_hari_terlambat,
        summed.maks_hari_terlambat,
        summed.jumlah_belum_dibayar_lewat_jatuh_tempo,
        summed.tanggal_acuan,
        'PEMBAYARAN' as satuan,
        summed.tahun
    from summed
    inner join opd
        on opd.opd_key = summed.opd_key
    inner join pemda
        on pemda.kode_pemda = summed.kode_pemda
)

select * from final
