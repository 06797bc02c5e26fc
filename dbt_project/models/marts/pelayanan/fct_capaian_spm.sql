{#- SPM achievement, one row per pemda x OPD (landing folder) x tahun x indikator (latest file
    wins). capaian_persen = terlayani / sasaran x 100. -#}
with

capaian as (
    select * from {{ ref('stg_opd__capaian_spm') }}
),

resolved as (
    {{ resolve_opd('capaian', submitted_column='_opd_folder') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by _kode_pemda, opd_key, tahun, kode_indikator
            order by _file_id desc, _row_number desc
        ) as urutan
    from resolved
),

final as (
    select
        _kode_pemda || '|' || coalesce(opd_key, _opd_folder) || '|' || tahun || '|' || kode_indikator
            as capaian_spm_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        bidang,
        kode_indikator,
        sasaran,
        terlayani,
        {{ persen('terlayani', 'sasaran') }} as capaian_persen,
        _file_id
    from ranked
    where urutan = 1
)

select * from final
