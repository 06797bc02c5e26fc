{#- One row per SP2D line, OPD resolved, with the jenis belanja and the pagu version context.
    Incremental: only the pemda x period partitions whose files changed are rebuilt (macros/incremental.sql). -#}
with

realisasi as (
    select * from {{ ref('stg_opd__realisasi_belanja') }}
    {%- if is_incremental() %}
    where {{ partisi() }} in ({{ changed_partitions(ref('stg_opd__realisasi_belanja')) }})
    {%- endif %}
),

resolved as (
    {{ resolve_opd('realisasi') }}
),

final as (
    select
        _file_id || '|' || coalesce(_sheet, '') || '|' || _row_number as realisasi_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        nomor_sp2d,
        jenis_sp2d,
        tanggal_sp2d,
        bulan,
        kode_sub_kegiatan,
        kode_rekening,
        kode_jenis_belanja,
        nilai,
        nilai_realisasi,
        nilai_uang_muka,
        _file_id,
        {{ partisi() }} as _partisi
    from resolved
)

select * from final
