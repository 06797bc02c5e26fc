{#- SPM achievement per pemda x tahun x indikator: terlayani / sasaran x 100, sasaran and
    terlayani summed over the OPD reporting the indicator. -#}
with

capaian as (
    select * from {{ ref('fct_capaian_spm') }}
),

indikator as (
    select * from {{ ref('spm_indikator') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

summed as (
    select
        kode_pemda,
        tahun,
        kode_indikator,
        sum(sasaran) as sasaran,
        sum(terlayani) as terlayani
    from capaian
    group by kode_pemda, tahun, kode_indikator
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        indikator.bidang,
        summed.kode_indikator,
        indikator.nama_indikator,
        {{ persen('summed.terlayani', 'summed.sasaran') }} as capaian_persen,
        summed.sasaran,
        summed.terlayani,
        'PERSEN' as satuan,
        summed.tahun
    from summed
    inner join pemda
        on pemda.kode_pemda = summed.kode_pemda
    left join indikator
        on indikator.kode_indikator = summed.kode_indikator
)

select * from final
