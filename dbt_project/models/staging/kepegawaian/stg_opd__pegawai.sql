{#- Monthly roster. nama and tanggal_lahir (PII, not needed downstream) are not carried. -#}
with

source as (
    select * from {{ source('opd', 'pegawai') }}
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
        {{ clean_nip('nip') }} as nip,
        {{ clean_jenis_kelamin('jenis_kelamin') }} as jenis_kelamin,
        {{ clean_code('status_kepegawaian') }} as status_kepegawaian,
        {{ clean_jenis_non_asn('jenis_non_asn') }} as jenis_non_asn,
        {{ clean_golongan('golongan') }} as golongan,
        {{ clean_code('jenis_jabatan') }} as jenis_jabatan,
        {{ clean_eselon('eselon') }} as eselon,
        {{ clean_text('nama_jabatan') }} as nama_jabatan,
        {{ clean_pendidikan('pendidikan') }} as pendidikan,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        {{ clean_periode('periode') }} as periode
    from source
),

final as (
    select
        *,
        {{ periode_to_date('periode') }} as tanggal_periode
    from renamed
)

select * from final
