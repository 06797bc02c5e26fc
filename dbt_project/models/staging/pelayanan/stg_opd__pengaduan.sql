with

source as (
    select * from {{ source('opd', 'pengaduan') }}
    where {{ only_current_files() }}
),

renamed as (
    select
        _file_id,
        _sheet,
        _row_number,
        _kode_pemda,
        upper(btrim(_opd_folder)) as _opd_folder,
        upper(btrim(nomor_tiket)) as nomor_tiket,
        tanggal,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        {{ clean_text('kategori') }} as kategori,
        {{ clean_code('status') }} as status,
        tanggal_tindak_lanjut
    from source
)

select * from renamed
