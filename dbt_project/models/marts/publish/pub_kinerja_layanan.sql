{#- Service performance per pemda x OPD x service x month of entry: requests, finished, and
    finished on time in working days against the service's SLA. -#}
with

permohonan as (
    select * from {{ ref('fct_permohonan_layanan') }}
),

layanan as (
    select * from {{ ref('dim_layanan') }}
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
        kode_layanan,
        tahun,
        bulan,
        count(*) as jumlah_permohonan,
        count(*) filter (where is_selesai) as jumlah_selesai,
        count(*) filter (where is_tepat_waktu) as jumlah_selesai_tepat_waktu,
        count(*) filter (where is_tepat_waktu is not null) as jumlah_selesai_dinilai,
        count(*) filter (where status = 'DITOLAK') as jumlah_ditolak,
        round(avg(hari_kerja_penyelesaian) filter (where is_selesai), 2) as rata_rata_hari_kerja
    from permohonan
    group by kode_pemda, opd_key, kode_layanan, tahun, bulan
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        summed.kode_layanan,
        layanan.nama_layanan,
        summed.bulan,
        {{ persen('summed.jumlah_selesai_tepat_waktu', 'summed.jumlah_selesai_dinilai') }} as persentase_tepat_waktu,
        summed.jumlah_permohonan,
        summed.jumlah_selesai,
        summed.jumlah_selesai_tepat_waktu,
        summed.jumlah_ditolak,
        summed.rata_rata_hari_kerja,
        layanan.waktu_penyelesaian_hari as sla_hari_kerja,
        'PERSEN' as satuan,
        summed.tahun
    from summed
    inner join opd
        on opd.opd_key = summed.opd_key
    inner join pemda
        on pemda.kode_pemda = summed.kode_pemda
    left join layanan
        on layanan.opd_key = summed.opd_key
        and layanan.kode_layanan = summed.kode_layanan
)

select * from final
