{#- SPM achievement per pemda x tahun x indikator: terlayani / sasaran x 100 from the ONE source that
    owns the indikator, never a sum over OPD (a target population is not additive: two OPD reporting
    the same children count them twice). The owner among the OPD that reported it: the OPD named
    pengampu in the seed spm_indikator (the dinas of the bidang; Satpol PP, BPBD or Damkar in
    trantibumlinmas), else an OPD of the bidang's urusan (SIPD unit code starting with it, e.g. BPBD
    reporting fire rescue where there is no Damkar), else the OPD with the lowest code; ties by code. -#}
with

capaian as (
    select * from {{ ref('fct_capaian_spm') }}
),

indikator as (
    select * from {{ ref('spm_indikator') }}
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

ranked as (
    select
        capaian.kode_pemda,
        capaian.tahun,
        capaian.kode_indikator,
        capaian.opd_key,
        capaian.sasaran,
        capaian.terlayani,
        case
            when opd.singkatan = upper(indikator.pengampu) then 1
            when left(capaian.kode_opd, length(indikator.urusan) + 1) = indikator.urusan || '.' then 2
            else 3
        end as tingkat_pengampu,
        count(*) over (partition by capaian.kode_pemda, capaian.tahun, capaian.kode_indikator) as jumlah_opd_melapor,
        row_number() over (
            partition by capaian.kode_pemda, capaian.tahun, capaian.kode_indikator
            order by
                case
                    when opd.singkatan = upper(indikator.pengampu) then 1
                    when left(capaian.kode_opd, length(indikator.urusan) + 1) = indikator.urusan || '.' then 2
                    else 3
                end,
                capaian.kode_opd nulls last
        ) as urutan
    from capaian
    left join indikator
        on indikator.kode_indikator = capaian.kode_indikator
    left join opd
        on opd.opd_key = capaian.opd_key
),

sumber as (
    select * from ranked where urutan = 1
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        indikator.bidang,
        sumber.kode_indikator,
        indikator.nama_indikator,
        {{ persen('sumber.terlayani', 'sumber.sasaran') }} as capaian_persen,
        sumber.sasaran,
        sumber.terlayani,
        opd.kode_opd as kode_opd_sumber,
        opd.nama_opd as nama_opd_sumber,
        sumber.jumlah_opd_melapor,
        'PERSEN' as satuan,
        sumber.tahun
    from sumber
    inner join pemda
        on pemda.kode_pemda = sumber.kode_pemda
    left join indikator
        on indikator.kode_indikator = sumber.kode_indikator
    left join opd
        on opd.opd_key = sumber.opd_key
)

select * from final
