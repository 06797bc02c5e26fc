{#- Cumulative realisasi and absorption (serapan) per pemda x OPD x tahun x jenis belanja x month.
    Every combination that has pagu or payments gets every month from 1 to the last month with
    any payment in that pemda and year, so a month without payments carries the cumulative
    forward; payments are positive, so the series never decreases. pagu = sum of the jenis'
    lines in the latest versi (int_anggaran_pagu_terakhir), constant over the year. -#}
with

pagu_lines as (
    select * from {{ ref('int_anggaran_pagu_terakhir') }}
),

realisasi_bulanan as (
    select * from {{ ref('int_realisasi_belanja_bulanan') }}
),

bulan as (
    {{ month_spine() }}
),

pagu_per_jenis as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        kode_jenis_belanja,
        sum(pagu) as pagu
    from pagu_lines
    where kode_jenis_belanja like '5.%'
    group by kode_pemda, kode_opd, opd_key, tahun, kode_jenis_belanja
),

kombinasi as (
    select kode_pemda, kode_opd, opd_key, tahun, kode_jenis_belanja from pagu_per_jenis
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
        coalesce(pagu_per_jenis.pagu, 0) as pagu,
        coalesce(realisasi_bulanan.realisasi_bulan, 0) as realisasi_bulan
    from kerangka
    left join pagu_per_jenis
        on pagu_per_jenis.kode_pemda = kerangka.kode_pemda
        -- null-safe as coalesce(.., '') = coalesce(.., ''), never '' here: unlike IS NOT DISTINCT FROM it can be a hash join key
        and coalesce(pagu_per_jenis.opd_key, '') = coalesce(kerangka.opd_key, '')
        and pagu_per_jenis.tahun = kerangka.tahun
        and coalesce(pagu_per_jenis.kode_jenis_belanja, '') = coalesce(kerangka.kode_jenis_belanja, '')
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
        ) as realisasi_kumulatif
    from joined
),

final as (
    select
        *,
        {{ persen('realisasi_kumulatif', 'pagu') }} as persentase_serapan
    from cumulated
)

select * from final
