{#- Realisasi of priority programs per pemda x tahun x OPD x tag (STUNTING, KEMISKINAN_EKSTREM,
    INFLASI, PENGANGGURAN), year to date: realisasi (LS, GU less refunds; UP/TU advances are not
    realisasi) on budget lines (same OPD, sub kegiatan and rekening) tagged in the latest tahapan. A line with two tags counts under both, so the tags
    must not be summed. -#}
with

tagged_lines as (
    select * from {{ ref('int_anggaran_tagging') }}
),

realisasi as (
    select * from {{ ref('fct_realisasi_belanja') }}
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

pagu_per_tag as (
    select
        kode_pemda,
        opd_key,
        tahun,
        tagging,
        sum(pagu) as pagu
    from tagged_lines
    group by kode_pemda, opd_key, tahun, tagging
),

realisasi_per_tag as (
    select
        tagged_lines.kode_pemda,
        tagged_lines.opd_key,
        tagged_lines.tahun,
        tagged_lines.tagging,
        sum(realisasi.nilai_realisasi) as realisasi,
        max(realisasi.bulan) as sampai_bulan
    from tagged_lines
    inner join realisasi
        on realisasi.kode_pemda = tagged_lines.kode_pemda
        and realisasi.opd_key = tagged_lines.opd_key
        and realisasi.tahun = tagged_lines.tahun
        and realisasi.kode_sub_kegiatan = tagged_lines.kode_sub_kegiatan
        and realisasi.kode_rekening = tagged_lines.kode_rekening
    group by tagged_lines.kode_pemda, tagged_lines.opd_key, tagged_lines.tahun, tagged_lines.tagging
),

joined as (
    select
        pagu_per_tag.*,
        coalesce(realisasi_per_tag.realisasi, 0) as realisasi,
        realisasi_per_tag.sampai_bulan
    from pagu_per_tag
    left join realisasi_per_tag
        on realisasi_per_tag.kode_pemda = pagu_per_tag.kode_pemda
        and realisasi_per_tag.opd_key = pagu_per_tag.opd_key
        and realisasi_per_tag.tahun = pagu_per_tag.tahun
        and realisasi_per_tag.tagging = pagu_per_tag.tagging
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        joined.tagging as program_prioritas,
        joined.realisasi,
        joined.pagu,
        {{ persen('joined.realisasi', 'joined.pagu') }} as persentase_realisasi,
        joined.sampai_bulan,
        'RUPIAH' as satuan,
        joined.tahun
    from joined
    inner join opd
        on opd.opd_key = joined.opd_key
    inner join pemda
        on pemda.kode_pemda = joined.kode_pemda
)

select * from final
