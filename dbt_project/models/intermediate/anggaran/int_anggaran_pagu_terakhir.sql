{#- Budget lines in force at the end of the year: per pemda x tahun x OPD, the rincian lines of the
    OPD's latest tahapan (int_anggaran_tahapan.peringkat: by date, then MURNI < PERGESERAN_n <
    PERUBAHAN). An OPD without lines in a later tahapan keeps its earlier DPA, as an OPD without a
    DPPA does. One row per rincian line of the chosen tahapan. -#}
with

rincian as (
    select * from {{ ref('int_anggaran_rincian') }}
),

latest as (
    select
        kode_pemda,
        tahun,
        opd_key,
        max(peringkat) as peringkat
    from rincian
    group by kode_pemda, tahun, opd_key
),

final as (
    select rincian.*
    from rincian
    inner join latest
        on latest.kode_pemda = rincian.kode_pemda
        and latest.tahun = rincian.tahun
        -- null-safe as coalesce(.., '') = coalesce(.., ''), never '' here: unlike IS NOT DISTINCT FROM it can be a hash join key
        and coalesce(latest.opd_key, '') = coalesce(rincian.opd_key, '')
        and latest.peringkat = rincian.peringkat
)

select * from final
