{#- Revenue per pemda x OPD x tahun x rekening x month, months 1 .. the last month reported
    in the pemda's year. `realisasi` in the pendapatan file is the month's own realisation (not
    year to date); a missing month counts 0 and carries the cumulative forward. `target` is the
    annual target repeated on every monthly row: a month without a row carries the last known
    target forward. -#}
with

pendapatan as (
    select * from {{ ref('stg_opd__pendapatan') }}
    where bulan between 1 and 12
),

bulan as (
    {{ month_spine() }}
),

resolved as (
    {{ resolve_opd('pendapatan') }}
),

per_bulan as (
    select
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        kode_rekening,
        kode_jenis_pendapatan,
        bulan,
        sum(target) as target,
        sum(realisasi) as realisasi_bulan
    from resolved
    group by _kode_pemda, kode_opd, opd_key, tahun, kode_rekening, kode_jenis_pendapatan, bulan
),

kombinasi as (
    select distinct kode_pemda, kode_opd, opd_key, tahun, kode_rekening, kode_jenis_pendapatan
    from per_bulan
),

bulan_terakhir as (
    select kode_pemda, tahun, max(bulan) as bulan_terakhir
    from per_bulan
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
        kerangka.*,
        per_bulan.target,
        coalesce(per_bulan.realisasi_bulan, 0) as realisasi_bulan
    from kerangka
    left join per_bulan
        on per_bulan.kode_pemda = kerangka.kode_pemda
        -- null-safe as coalesce(.., '') = coalesce(.., ''), never '' here: unlike IS NOT DISTINCT FROM it can be a hash join key
        and coalesce(per_bulan.opd_key, '') = coalesce(kerangka.opd_key, '')
        and per_bulan.tahun = kerangka.tahun
        and per_bulan.kode_rekening = kerangka.kode_rekening
        and per_bulan.bulan = kerangka.bulan
),

grouped_target as (
    select
        *,
        count(target) over (
            partition by kode_pemda, opd_key, tahun, kode_rekening order by bulan
        ) as kelompok_target
    from joined
),

final as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        kode_rekening,
        kode_jenis_pendapatan,
        bulan,
        coalesce(
            max(target) over (partition by kode_pemda, opd_key, tahun, kode_rekening, kelompok_target),
            0
        ) as target,
        realisasi_bulan,
        sum(realisasi_bulan) over (
            partition by kode_pemda, opd_key, tahun, kode_rekening
            order by bulan
            rows between unbounded preceding and current row
        ) as realisasi_kumulatif
    from grouped_target
)

select * from final
