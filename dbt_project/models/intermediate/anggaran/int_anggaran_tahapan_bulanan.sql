{#- The tahapan in force per pemda x tahun x month 1-12: the latest (int_anggaran_tahapan.peringkat)
    that took effect on or before the month's last day, else the pemda's first tahapan. Chosen per
    pemda, so every OPD of a pemda is measured against the same tahapan in a month. -#}
with

tahapan as (
    select * from {{ ref('int_anggaran_tahapan') }}
),

bulan as (
    {{ month_spine() }}
),

kerangka as (
    select
        tahapan.*,
        bulan.bulan,
        tahapan.tanggal_berlaku
            <= (make_date(tahapan.tahun, bulan.bulan, 1) + interval '1 month' - interval '1 day')::date as sudah_berlaku
    from tahapan
    cross join bulan
),

final as (
    select distinct on (kode_pemda, tahun, bulan)
        kode_pemda,
        tahun,
        bulan,
        versi as versi_pagu,
        peringkat
    from kerangka
    -- in force by the month's last day first, the latest of those; else the earliest tahapan
    order by kode_pemda, tahun, bulan, sudah_berlaku desc, case when sudah_berlaku then -peringkat else peringkat end
)

select * from final
