with

source as (
    select * from {{ source('opd', 'anggaran') }}
    where {{ only_current_files() }}
),

renamed as (
    select
        _file_id,
        _sheet,
        _row_number,
        _kode_pemda,
        upper(btrim(_opd_folder)) as _opd_folder,
        tahun::integer as tahun,
        {{ clean_versi('versi') }} as versi,
        {{ clean_text('versi') }} as versi_dilaporkan,
        tanggal_berlaku,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        {{ clean_dotted_code('kode_sub_kegiatan') }} as kode_sub_kegiatan,
        {{ clean_text('nama_sub_kegiatan') }} as nama_sub_kegiatan,
        {{ clean_dotted_code('kode_rekening') }} as kode_rekening,
        {{ clean_text('uraian_rekening') }} as uraian_rekening,
        pagu::numeric(20, 2) as pagu,
        {{ clean_text('sumber_dana') }} as sumber_dana,
        {{ clean_tagging('tagging') }} as tagging
    from source
),

final as (
    select
        *,
        {{ rekening_prefix('kode_rekening', 3) }} as kode_jenis_belanja,
        {{ urutan_versi('versi') }} as urutan_versi
    from renamed
)

select * from final
