with

source as (
    select * from {{ source('opd', 'realisasi_belanja') }}
    where {{ only_current_files() }}
),

renamed as (
    select
        _file_id,
        _sheet,
        _row_number,
        _kode_pemda,
        upper(btrim(_opd_folder)) as _opd_folder,
        _period,
        tahun::integer as tahun,
        upper(btrim(nomor_sp2d)) as nomor_sp2d,
        tanggal_sp2d,
        {{ clean_text('jenis_sp2d') }} as jenis_sp2d_dilaporkan,
        {{ clean_jenis_sp2d('jenis_sp2d', 'nomor_sp2d') }} as jenis_sp2d,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        {{ clean_dotted_code('kode_sub_kegiatan') }} as kode_sub_kegiatan,
        {{ clean_dotted_code('kode_rekening') }} as kode_rekening,
        nilai::numeric(20, 2) as nilai
    from source
),

final as (
    select
        *,
        extract(month from tanggal_sp2d)::integer as bulan,
        -- what the line adds to realisasi (LS, GU: +nilai; PENGEMBALIAN: -nilai; UP, TU: 0) and to uang muka
        nilai * {{ realisasi_sign('jenis_sp2d') }} as nilai_realisasi,
        {{ nilai_uang_muka('jenis_sp2d', 'nilai') }} as nilai_uang_muka,
        {{ rekening_prefix('kode_rekening', 3) }} as kode_jenis_belanja
    from renamed
)

select * from final
