with

source as (
    select * from {{ source('opd', 'kinerja_pegawai') }}
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
        {{ clean_nip('nip') }} as nip,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        {{ clean_code('predikat') }} as predikat
    from source
)

select * from renamed
