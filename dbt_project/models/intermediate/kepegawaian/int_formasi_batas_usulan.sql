{#- Vacancy-proposal cap per pemda over the window of the Kemendagri direction before Pilkada 2024
    (vars jendela_batas_usulan_mulai .. jendela_batas_usulan_akhir, declared once in dbt_project.yml):
    proposals to fill vacancies made in the window, counted together per pemda, at most
    var('batas_usulan_eselon_ii') (3) for eselon II and var('batas_usulan_eselon_iii_iv') (15) for
    eselon III and IV together. Each periode's usulan_pengisian is the proposals made in that periode;
    a periode is in the window when its month overlaps it. One row per pemda x periode with the
    window's running totals up to that periode; outside the window the check is empty (no warning).
    The level is read from the eselon column (II.a/II.b -> II, ...). -#}
with

formasi as (
    select * from {{ ref('stg_opd__formasi_jabatan') }}
    where periode is not null
),

leveled as (
    select
        _kode_pemda as kode_pemda,
        periode,
        tanggal_periode,
        {{ eselon_level('eselon') }} as eselon_level,
        usulan_pengisian
    from formasi
),

summed as (
    select
        kode_pemda,
        periode,
        tanggal_periode,
        coalesce(sum(usulan_pengisian) filter (where eselon_level = 'II'), 0) as usulan_eselon_ii,
        coalesce(sum(usulan_pengisian) filter (where eselon_level in ('III', 'IV')), 0) as usulan_eselon_iii_iv
    from leveled
    group by kode_pemda, periode, tanggal_periode
),

windowed as (
    select
        *,
        (
            tanggal_periode <= cast('{{ var("jendela_batas_usulan_akhir") }}' as date)
            and (tanggal_periode + interval '1 month' - interval '1 day')::date
                >= cast('{{ var("jendela_batas_usulan_mulai") }}' as date)
        ) as dalam_jendela
    from summed
),

running as (
    select
        *,
        case when dalam_jendela then sum(usulan_eselon_ii) filter (where dalam_jendela) over (
            partition by kode_pemda order by periode rows between unbounded preceding and current row
        ) end as usulan_eselon_ii_jendela,
        case when dalam_jendela then sum(usulan_eselon_iii_iv) filter (where dalam_jendela) over (
            partition by kode_pemda order by periode rows between unbounded preceding and current row
        ) end as usulan_eselon_iii_iv_jendela
    from windowed
),

final as (
    select
        kode_pemda,
        periode,
        dalam_jendela,
        usulan_eselon_ii,
        usulan_eselon_iii_iv,
        usulan_eselon_ii_jendela,
        {{ var('batas_usulan_eselon_ii') }} as batas_usulan_eselon_ii,
        usulan_eselon_iii_iv_jendela,
        {{ var('batas_usulan_eselon_iii_iv') }} as batas_usulan_eselon_iii_iv,
        case when dalam_jendela then usulan_eselon_ii_jendela > {{ var('batas_usulan_eselon_ii') }} end
            as melebihi_batas_eselon_ii,
        case when dalam_jendela then usulan_eselon_iii_iv_jendela > {{ var('batas_usulan_eselon_iii_iv') }} end
            as melebihi_batas_eselon_iii_iv,
        case when dalam_jendela then (
            usulan_eselon_ii_jendela <= {{ var('batas_usulan_eselon_ii') }}
            and usulan_eselon_iii_iv_jendela <= {{ var('batas_usulan_eselon_iii_iv') }}
        ) end as memenuhi_batas_usulan
    from running
)

select * from final
