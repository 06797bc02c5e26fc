with

source as (
    select * from {{ source('opd', 'jenis_layanan') }}
    where {{ only_current_files() }}
),

renamed as (
    select
        _file_id,
        _sheet,
        _row_number,
        _kode_pemda,
        upper(btrim(_opd_folder)) as _opd_folder,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        upper(btrim(kode_layanan)) as kode_layanan,
        {{ clean_text('nama_layanan') }} as nama_layanan,
        waktu_penyelesaian_hari::integer as waktu_penyelesaian_hari,
        biaya::numeric(20, 2) as biaya,
        {{ clean_text('dasar_hukum') }} as dasar_hukum
    from source
)

select * from renamed
