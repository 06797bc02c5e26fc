{#- Pagu in force per pemda x OPD x tahun x jenis belanja (level 3 under 5) x month 1-12. The
    tahapan of a month is chosen per pemda (int_anggaran_tahapan_bulanan): the latest that took
    effect on or before the month's last day, else the pemda's first. Each OPD then counts the lines
    of its own latest tahapan not after the pemda's (an OPD without a DPPA keeps its DPA); an OPD
    whose only lines are of a later tahapan counts those. So January-August keep the MURNI pagu
    when a PERUBAHAN takes effect in September. Rincian lines only (int_anggaran_rincian). -#}
with

rincian as (
    select * from {{ ref('int_anggaran_rincian') }}
    where kode_jenis_belanja like '5.%'
),

tahapan_bulan as (
    select * from {{ ref('int_anggaran_tahapan_bulanan') }}
),

pagu_versi as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        peringkat,
        versi,
        kode_jenis_belanja,
        sum(pagu) as pagu
    from rincian
    group by kode_pemda, kode_opd, opd_key, tahun, peringkat, versi, kode_jenis_belanja
),

opd_versi as (
    select distinct kode_pemda, kode_opd, opd_key, tahun, peringkat
    from pagu_versi
),

opd_bulan as (
    select
        opd_versi.kode_pemda,
        opd_versi.kode_opd,
        opd_versi.opd_key,
        opd_versi.tahun,
        tahapan_bulan.bulan,
        tahapan_bulan.versi_pagu,
        coalesce(
            max(opd_versi.peringkat) filter (where opd_versi.peringkat <= tahapan_bulan.peringkat),
            min(opd_versi.peringkat)
        ) as peringkat_opd
    from opd_versi
    inner join tahapan_bulan
        on tahapan_bulan.kode_pemda = opd_versi.kode_pemda
        and tahapan_bulan.tahun = opd_versi.tahun
    group by
        opd_versi.kode_pemda, opd_versi.kode_opd, opd_versi.opd_key, opd_versi.tahun, tahapan_bulan.bulan,
        tahapan_bulan.versi_pagu
),

final as (
    select
        opd_bulan.kode_pemda,
        opd_bulan.kode_opd,
        opd_bulan.opd_key,
        opd_bulan.tahun,
        pagu_versi.kode_jenis_belanja,
        opd_bulan.bulan,
        opd_bulan.versi_pagu,
        pagu_versi.versi as versi_pagu_opd,
        pagu_versi.pagu
    from opd_bulan
    inner join pagu_versi
        on pagu_versi.kode_pemda = opd_bulan.kode_pemda
        and coalesce(pagu_versi.opd_key, '') = coalesce(opd_bulan.opd_key, '')
        and pagu_versi.tahun = opd_bulan.tahun
        and pagu_versi.peringkat = opd_bulan.peringkat_opd
)

select * from final
