{#- Vacancy-proposal cap per pemda per periode (Kemendagri direction before Pilkada 2024):
    proposals to fill vacancies at most var('batas_usulan_eselon_ii') (3) for eselon II and at
    most var('batas_usulan_eselon_iii_iv') (15) for eselon III and IV together. The level is
    read from the eselon column (II.a/II.b -> II, ...). -#}
with

formasi as (
    select * from {{ ref('stg_opd__formasi_jabatan') }}
    where periode is not null
),

leveled as (
    select
        _kode_pemda as kode_pemda,
        periode,
        {{ eselon_level('eselon') }} as eselon_level,
        usulan_pengisian
    from formasi
),

summed as (
    select
        kode_pemda,
        periode,
        coalesce(sum(usulan_pengisian) filter (where eselon_level = 'II'), 0) as usulan_eselon_ii,
        coalesce(sum(usulan_pengisian) filter (where eselon_level in ('III', 'IV')), 0) as usulan_eselon_iii_iv
    from leveled
    group by kode_pemda, periode
),

final as (
    select
        kode_pemda,
        periode,
        usulan_eselon_ii,
        {{ var('batas_usulan_eselon_ii') }} as batas_usulan_eselon_ii,
        usulan_eselon_iii_iv,
        {{ var('batas_usulan_eselon_iii_iv') }} as batas_usulan_eselon_iii_iv,
        usulan_eselon_ii > {{ var('batas_usulan_eselon_ii') }} as melebihi_batas_eselon_ii,
        usulan_eselon_iii_iv > {{ var('batas_usulan_eselon_iii_iv') }} as melebihi_batas_eselon_iii_iv,
        (
            usulan_eselon_ii <= {{ var('batas_usulan_eselon_ii') }}
            and usulan_eselon_iii_iv <= {{ var('batas_usulan_eselon_iii_iv') }}
        ) as memenuhi_batas_usulan
    from summed
)

select * from final
