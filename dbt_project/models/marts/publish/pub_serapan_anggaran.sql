{#- Budget absorption: cumulative realisasi / pagu in force x 100 per pemda x OPD x jenis belanja x
    month, with the tahapan whose pagu the month used and the advances (uang muka) beside it. -#}
with

serapan as (
    select * from {{ ref('int_realisasi_belanja_kumulatif') }}
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

rekening as (
    select * from {{ ref('dim_rekening') }}
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        serapan.bulan,
        serapan.kode_jenis_belanja,
        rekening.uraian as nama_jenis_belanja,
        serapan.persentase_serapan,
        serapan.pagu,
        serapan.versi_pagu,
        serapan.realisasi_bulan,
        serapan.realisasi_kumulatif,
        serapan.pengembalian_bulan,
        serapan.uang_muka_bulan,
        serapan.uang_muka_kumulatif,
        'PERSEN' as satuan,
        serapan.tahun
    from serapan
    inner join opd
        on opd.opd_key = serapan.opd_key
    inner join pemda
        on pemda.kode_pemda = serapan.kode_pemda
    left join rekening
        on rekening.kode_rekening = serapan.kode_jenis_belanja
)

select * from final
