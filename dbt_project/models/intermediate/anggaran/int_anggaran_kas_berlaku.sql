{#- The cash plan in force: one row per pemda x OPD x tahun x month (1-12) x sub kegiatan x rekening
    with the plan of the month's tahapan. The tahapan is chosen as for pagu
    (int_anggaran_tahapan_bulanan, per pemda): each OPD uses its own latest anggaran kas not after the
    pemda's tahapan of the month (an OPD without a new plan keeps its earlier one), else its first.
    rencana_kumulatif = the plan of that tahapan from January to the month. A plan of a tahapan the
    pemda has no DPA lines for is not used (the anggaran kas is drawn up on a DPA). -#}
with

kas as (
    select * from {{ ref('stg_opd__anggaran_kas') }}
    where urutan_versi is not null and bulan between 1 and 12
),

tahapan as (
    select * from {{ ref('int_anggaran_tahapan') }}
),

tahapan_bulan as (
    select * from {{ ref('int_anggaran_tahapan_bulanan') }}
),

resolved as (
    {{ resolve_opd('kas') }}
),

kas_versi as (
    select
        resolved._kode_pemda as kode_pemda,
        resolved.kode_opd,
        resolved.opd_key,
        resolved.tahun,
        tahapan.peringkat,
        resolved.versi,
        resolved.kode_sub_kegiatan,
        resolved.kode_rekening,
        resolved.bulan,
        sum(resolved.rencana) as rencana
    from resolved
    inner join tahapan
        on tahapan.kode_pemda = resolved._kode_pemda
        and tahapan.tahun = resolved.tahun
        and tahapan.versi = resolved.versi
    group by
        resolved._kode_pemda, resolved.kode_opd, resolved.opd_key, resolved.tahun, tahapan.peringkat,
        resolved.versi, resolved.kode_sub_kegiatan, resolved.kode_rekening, resolved.bulan
),

opd_versi as (
    select distinct kode_pemda, kode_opd, opd_key, tahun, peringkat
    from kas_versi
),

opd_bulan as (
    select
        opd_versi.kode_pemda,
        opd_versi.kode_opd,
        opd_versi.opd_key,
        opd_versi.tahun,
        tahapan_bulan.bulan,
        coalesce(
            max(opd_versi.peringkat) filter (where opd_versi.peringkat <= tahapan_bulan.peringkat),
            min(opd_versi.peringkat)
        ) as peringkat_opd
    from opd_versi
    inner join tahapan_bulan
        on tahapan_bulan.kode_pemda = opd_versi.kode_pemda
        and tahapan_bulan.tahun = opd_versi.tahun
    group by opd_versi.kode_pemda, opd_versi.kode_opd, opd_versi.opd_key, opd_versi.tahun, tahapan_bulan.bulan
),

final as (
    select
        opd_bulan.kode_pemda,
        opd_bulan.kode_opd,
        opd_bulan.opd_key,
        opd_bulan.tahun,
        opd_bulan.bulan,
        kas_versi.versi as versi_kas,
        kas_versi.kode_sub_kegiatan,
        kas_versi.kode_rekening,
        sum(kas_versi.rencana) filter (where kas_versi.bulan = opd_bulan.bulan) as rencana_bulan,
        sum(kas_versi.rencana) as rencana_kumulatif
    from opd_bulan
    inner join kas_versi
        on kas_versi.kode_pemda = opd_bulan.kode_pemda
        -- null-safe as coalesce(.., '') = coalesce(.., ''), never '' here: unlike IS NOT DISTINCT FROM it can be a hash join key
        and coalesce(kas_versi.opd_key, '') = coalesce(opd_bulan.opd_key, '')
        and kas_versi.tahun = opd_bulan.tahun
        and kas_versi.peringkat = opd_bulan.peringkat_opd
        and kas_versi.bulan <= opd_bulan.bulan
    group by
        opd_bulan.kode_pemda, opd_bulan.kode_opd, opd_bulan.opd_key, opd_bulan.tahun, opd_bulan.bulan,
        kas_versi.versi, kas_versi.kode_sub_kegiatan, kas_versi.kode_rekening
)

select * from final
