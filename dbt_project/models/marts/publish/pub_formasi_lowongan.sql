{#- Vacancies (kebutuhan - terisi, never negative) and proposals per pemda x periode x OPD x
    eselon level, with the pemda-wide proposal cap check of the pre-Pilkada window on every row of a
    periode in the window (the window's proposals up to that periode; empty outside it). -#}
with

formasi as (
    select * from {{ ref('fct_formasi_jabatan') }}
    where periode is not null
),

batas as (
    select * from {{ ref('int_formasi_batas_usulan') }}
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

summed as (
    select
        kode_pemda,
        opd_key,
        periode,
        tahun,
        eselon_level,
        sum(kebutuhan) as kebutuhan,
        sum(terisi) as terisi,
        sum(lowongan) as jumlah_lowongan,
        sum(usulan_pengisian) as usulan_pengisian
    from formasi
    group by kode_pemda, opd_key, periode, tahun, eselon_level
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        summed.periode,
        summed.eselon_level as eselon,
        summed.jumlah_lowongan,
        summed.kebutuhan,
        summed.terisi,
        summed.usulan_pengisian,
        batas.usulan_eselon_ii_jendela as usulan_eselon_ii_pemda,
        batas.usulan_eselon_iii_iv_jendela as usulan_eselon_iii_iv_pemda,
        batas.memenuhi_batas_usulan,
        'JABATAN' as satuan,
        summed.tahun
    from summed
    inner join opd
        on opd.opd_key = summed.opd_key
    inner join pemda
        on pemda.kode_pemda = summed.kode_pemda
    left join batas
        on batas.kode_pemda = summed.kode_pemda
        and batas.periode = summed.periode
)

select * from final
