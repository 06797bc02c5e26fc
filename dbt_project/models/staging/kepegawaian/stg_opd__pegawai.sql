{#- Monthly roster. nama and tanggal_lahir (PII, not needed downstream) are not carried.
    Codes through the seed kode_sinonim (one join per list: a roster has many rows). A NON_ASN row
    without a jenis_non_asn takes its kind from the status label (`THL` -> NON_ASN, kind THL). -#}
with

source as (
    select * from {{ source('opd', 'pegawai') }}
    where {{ only_current_files() }}
),

sinonim as (
    {{ kode_sinonim_lookup() }}
),

renamed as (
    select
        source._file_id,
        source._sheet,
        source._row_number,
        source._kode_pemda,
        upper(btrim(source._opd_folder)) as _opd_folder,
        source._period,
        {{ clean_nip('source.nip') }} as nip,
        jenis_kelamin.kode as jenis_kelamin,
        status.kode as status_kepegawaian,
        case
            when status.kode = 'NON_ASN' then coalesce(non_asn.kode, non_asn_dari_status.kode)
        end as jenis_non_asn,
        golongan.kode as golongan,
        jenis_jabatan.kode as jenis_jabatan,
        {{ clean_eselon('source.eselon') }} as eselon,
        {{ clean_text('source.nama_jabatan') }} as nama_jabatan,
        pendidikan.kode as pendidikan,
        {{ clean_kode_opd('source.kode_opd') }} as kode_opd_dilaporkan,
        {{ clean_periode('source.periode') }} as periode
    from source
    left join sinonim as jenis_kelamin
        on jenis_kelamin.daftar = 'jenis_kelamin' and jenis_kelamin.kunci = {{ kunci_kode('source.jenis_kelamin') }}
    left join sinonim as status
        on status.daftar = 'status_kepegawaian' and status.kunci = {{ kunci_kode('source.status_kepegawaian') }}
    left join sinonim as non_asn
        on non_asn.daftar = 'jenis_non_asn' and non_asn.kunci = {{ kunci_kode('source.jenis_non_asn') }}
    left join sinonim as non_asn_dari_status
        on non_asn_dari_status.daftar = 'jenis_non_asn'
        and non_asn_dari_status.kunci = {{ kunci_kode('source.status_kepegawaian') }}
    left join sinonim as golongan
        on golongan.daftar = 'golongan' and golongan.kunci = {{ kunci_kode('source.golongan') }}
    left join sinonim as jenis_jabatan
        on jenis_jabatan.daftar = 'jenis_jabatan' and jenis_jabatan.kunci = {{ kunci_kode('source.jenis_jabatan') }}
    left join sinonim as pendidikan
        on pendidikan.daftar = 'pendidikan' and pendidikan.kunci = {{ kunci_kode('source.pendidikan') }}
),

final as (
    select
        *,
        {{ periode_to_date('periode') }} as tanggal_periode
    from renamed
)

select * from final
