{#- Revenue target vs cumulative realisasi per pemda x OPD x jenis pendapatan (level 3, e.g.
    4.1.01 Pajak Daerah) x month. -#}
with

pendapatan as (
    select * from {{ ref('int_pendapatan_kumulatif') }}
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

per_jenis as (
    select
        kode_pemda,
        opd_key,
        tahun,
        bulan,
        kode_jenis_pendapatan,
        sum(target) as target,
        sum(realisasi_bulan) as realisasi_bulan,
        sum(realisasi_kumulatif) as realisasi_kumulatif
    from pendapatan
    group by kode_pemda, opd_key, tahun, bulan, kode_jenis_pendapatan
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        per_jenis.bulan,
        per_jenis.kode_jenis_pendapatan,
        rekening.uraian as nama_jenis_pendapatan,
        {{ persen('per_jenis.realisasi_kumulatif', 'per_jenis.target') }} as persentase_realisasi,
        per_jenis.target,
        per_jenis.realisasi_bulan,
        per_jenis.realisasi_kumulatif,
        'PERSEN' as satuan,
        per_jenis.tahun
    from per_jenis
    inner join opd
        on opd.opd_key = per_jenis.opd_key
    inner join pemda
        on pemda.kode_pemda = per_jenis.kode_pemda
    left join rekening
        on rekening.kode_rekening = per_jenis.kode_jenis_pendapatan
)

select * from final
