{#- Service requests. Applicant identity columns never reach raw (dropped on landing). -#}
with

source as (
    select * from {{ source('opd', 'permohonan_layanan') }}
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
        upper(btrim(nomor_permohonan)) as nomor_permohonan,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        upper(btrim(kode_layanan)) as kode_layanan,
        tanggal_masuk,
        tanggal_selesai,
        {{ clean_code('status') }} as status,
        {{ clean_code('kanal') }} as kanal
    from source
)

select * from renamed
