{#- Cumulative realisasi and absorption (serapan) per pemda x OPD x tahun x jenis belanja x month.
    Every combination that has pagu or payments gets every month from 1 to the last month with
    any payment in that pemda and year, so a month without payments carries the cumulative
    forward. realisasi is LS + GU less refunds (int_realisasi_belanja_bulanan): the cumulative
    decreases only in a month whose refunds exceed its payments (SER-002 reports it). pagu is the
    pagu in force in the month (int_anggaran_pagu_bulanan), versi_pagu the pemda's tahapan then. -#}
with

pagu_bulanan as (
    select * from {{ ref('int_anggaran_pagu_bulanan') }}
),

realisasi_bulanan as (
    select * from {{ ref('int_realisasi_belanja_bulanan') }}
),

bulan as (
    {{ month_spine() }}
),

versi_bulanan as (
    select distinct kode_pemda, tahun, bulan, versi_pagu
    from pagu_bulanan
),

kombinasi as (
    select kode_pemda, kode_opd, opd_key, tahun, kode_jenis_belanja from pagu_bulanan
    union
    select kode_pemda, kode_opd, opd_key, tahun, kode_jenis_belanja from realisasi_bulanan
),

bulan_terakhir as (
    select
        kode_pemda,
        tahun,
        max(bulan) as bulan_terakhir
    from realisasi_bulanan
    group by kode_pemda, tahun
),

kerangka as (
    select
        kombinasi.*,
        bulan.bulan
    from kombinasi
    inner join bulan_terakhir
        on bulan_terakhir.kode_pemda = kombinasi.kode_pemda
        and bulan_terakhir.tahun = kombinasi.tahun
    inner join bulan
        on bulan.bulan <= bulan_terakhir.bulan_terakhir
),

joined as (
    select
        kerangka.kode_pemda,
        kerangka.kode_opd,
        kerangka.opd_key,
        kerangka.tahun,
        kerangka.kode_jenis_belanja,
        kerangka.bulan,
        versi_bulanan.versi_pagu,
        coalesce(pagu_bulanan.pagu, 0) as pagu,
        coalesce(realisasi_bulanan.realisasi_bulan, 0) as realisasi_bulan,
        coalesce(realisasi_bulanan.realisasi_bruto_bulan, 0) as realisasi_bruto_bulan,
        coalesce(realisasi_bulanan.pengembalian_bulan, 0) as pengembalian_bulan,
        coalesce(realisasi_bulanan.uang_muka_bulan, 0) as uang_muka_bulan
    from kerangka
    left join versi_bulanan
        on versi_bulanan.kode_pemda = kerangka.kode_pemda
        and versi_bulanan.tahun = kerangka.tahun
        and versi_bulanan.bulan = kerangka.bulan
    left join pagu_bulanan
        on pagu_bulanan.kode_pemda = kerangka.kode_pemda
        -- null-safe as coalesce(.., '') = coalesce(.., ''), never '' here: unlike IS NOT DISTINCT FROM it can be a hash join key
        and coalesce(pagu_bulanan.opd_key, '') = coalesce(kerangka.opd_key, '')
        and pagu_bulanan.tahun = kerangka.tahun
        and coalesce(pagu_bulanan.kode_jenis_belanja, '') = coalesce(kerangka.kode_jenis_belanja, '')
        and pagu_bulanan.bulan = kerangka.bulan
    left join realisasi_bulanan
        on realisasi_bulanan.kode_pemda = kerangka.kode_pemda
        and coalesce(realisasi_bulanan.opd_key, '') = coalesce(kerangka.opd_key, '')
        and realisasi_bulanan.tahun = kerangka.tahun
        and coalesce(realisasi_bulanan.kode_jenis_belanja, '') = coalesce(kerangka.kode_jenis_belanja, '')
        and realisasi_bulanan.bulan = kerangka.bulan
),

cumulated as (
    select
        *,
        sum(realisasi_bulan) over (
            partition by kode_pemda, opd_key, tahun, kode_jenis_belanja
            order by bulan
            rows between unbounded preceding and current row
        ) as realisasi_kumulatif,
        sum(realisasi_bruto_bulan) over (
            partition by kode_pemda, opd_key, tahun, kode_jenis_belanja
            order by bulan
            rows between unbounded preceding and current row
        ) as realisasi_bruto_kumulatif,
        sum(uang_muka_bulan) over (
            partition by kode_pemda, opd_key, tahun, kode_jenis_belanja
            order by bulan
            rows between unbounded preceding and current row
        ) as uang_muka_kumulatif
    from joined
),

final as (
    select
        *,
        {{ persen('realisasi_kumulatif', 'pagu') }} as persentase_serapan
    from cumulated
)

select * from final
