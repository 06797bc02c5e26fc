{#- Service performance per pemda x OPD x service x month of entry: requests, finished, and
    finished on time in working days against the service's SLA. An open request (DITERIMA,
    DIPROSES) whose working days from entry to the data's cut-off (the pemda's latest tanggal_masuk or
    tanggal_selesai, never the build date) exceed the SLA is a backlog past the SLA: it counts as late,
    so a service cannot look good by not finishing. -#}
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

kalender as (
    select * from {{ ref('int_tanggal_hari_kerja') }}
),

batas_data as (
    select
        kode_pemda,
        max(greatest(tanggal_masuk, coalesce(tanggal_selesai, tanggal_masuk))) as tanggal_batas_data
    from permohonan
    group by kode_pemda
),

dinilai as (
    select
        permohonan.*,
        not permohonan.is_selesai and permohonan.status in ('DITERIMA', 'DIPROSES') as is_terbuka,
        (
            not permohonan.is_selesai and permohonan.status in ('DITERIMA', 'DIPROSES')
            and permohonan.sla_hari_kerja is not null
            and batas.nomor_hari_kerja - masuk.nomor_hari_kerja > permohonan.sla_hari_kerja
        ) as is_tunggakan_lewat_sla
    from permohonan
    inner join batas_data
        on batas_data.kode_pemda = permohonan.kode_pemda
    left join kalender as masuk
        on masuk.tanggal = permohonan.tanggal_masuk
    left join kalender as batas
        on batas.tanggal = batas_data.tanggal_batas_data
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
        count(*) filter (where is_tunggakan_lewat_sla) as jumlah_tunggakan_lewat_sla,
        count(*) filter (where is_terbuka) as jumlah_belum_selesai,
        count(*) filter (where status = 'DITOLAK') as jumlah_ditolak,
        round(avg(hari_kerja_penyelesaian) filter (where is_selesai), 2) as rata_rata_hari_kerja
    from dinilai
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
        {{ persen('summed.jumlah_selesai_tepat_waktu',
                  '(summed.jumlah_selesai_dinilai + summed.jumlah_tunggakan_lewat_sla)') }} as persentase_tepat_waktu,
        summed.jumlah_permohonan,
        summed.jumlah_selesai,
        summed.jumlah_selesai_tepat_waktu,
        summed.jumlah_belum_selesai,
        summed.jumlah_tunggakan_lewat_sla,
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
