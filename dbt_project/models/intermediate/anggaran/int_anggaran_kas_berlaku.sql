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

kas_baris as (  -- a line's plan per tahapan and month, over the OPD's folders (joined by opd_key below)
    select
        kode_pemda,
        opd_key,
        tahun,
        peringkat,
        versi,
        kode_sub_kegiatan,
        kode_rekening,
        bulan,
        sum(rencana) as rencana
    from kas_versi
    group by kode_pemda, opd_key, tahun, peringkat, versi, kode_sub_kegiatan, kode_rekening, bulan
),

baris as (
    select distinct kode_pemda, opd_key, tahun, peringkat, versi, kode_sub_kegiatan, kode_rekening
    from kas_baris
),

bulan as (
    {{ month_spine() }}
),

-- every month of every line x tahapan with the plan from January to it, by a running sum: linear in the
-- plan's rows (a join on kas.bulan <= month read each line's months once per month of the year)
kas_kumulatif as (
    select
        baris.kode_pemda,
        baris.opd_key,
        baris.tahun,
        baris.peringkat,
        baris.versi,
        baris.kode_sub_kegiatan,
        baris.kode_rekening,
        bulan.bulan,
        kas_baris.rencana as rencana_bulan,
        sum(kas_baris.rencana) over januari_sampai_bulan as rencana_kumulatif,
        count(kas_baris.bulan) over januari_sampai_bulan as bulan_direncanakan
    from baris
    cross join bulan
    left join kas_baris
        on kas_baris.kode_pemda = baris.kode_pemda
        and coalesce(kas_baris.opd_key, '') = coalesce(baris.opd_key, '')
        and kas_baris.tahun = baris.tahun
        and kas_baris.peringkat = baris.peringkat
        and kas_baris.versi = baris.versi
        and kas_baris.kode_sub_kegiatan = baris.kode_sub_kegiatan
        and kas_baris.kode_rekening = baris.kode_rekening
        and kas_baris.bulan = bulan.bulan
    window januari_sampai_bulan as (
        partition by
            baris.kode_pemda, baris.opd_key, baris.tahun, baris.peringkat, baris.versi,
            baris.kode_sub_kegiatan, baris.kode_rekening
        order by bulan.bulan
    )
),

final as (
    select
        opd_bulan.kode_pemda,
        opd_bulan.kode_opd,
        opd_bulan.opd_key,
        opd_bulan.tahun,
        opd_bulan.bulan,
        kas_kumulatif.versi as versi_kas,
        kas_kumulatif.kode_sub_kegiatan,
        kas_kumulatif.kode_rekening,
        kas_kumulatif.rencana_bulan,
        kas_kumulatif.rencana_kumulatif
    from opd_bulan
    inner join kas_kumulatif
        on kas_kumulatif.kode_pemda = opd_bulan.kode_pemda
        -- null-safe as coalesce(.., '') = coalesce(.., ''), never '' here: unlike IS NOT DISTINCT FROM it can be a hash join key
        and coalesce(kas_kumulatif.opd_key, '') = coalesce(opd_bulan.opd_key, '')
        and kas_kumulatif.tahun = opd_bulan.tahun
        and kas_kumulatif.peringkat = opd_bulan.peringkat_opd
        and kas_kumulatif.bulan = opd_bulan.bulan
    where kas_kumulatif.bulan_direncanakan > 0  -- a line the plan starts later is not in force before
)

select * from final
