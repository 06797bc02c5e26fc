with

source as (
    select * from {{ source('opd', 'formasi_jabatan') }}
    where {{ only_current_files() }}
),

renamed as (
    select
        _file_id,
        _sheet,
        _row_number,
        _kode_pemda,
        upper(btrim(_opd_folder)) as _opd_folder,
        {{ clean_periode('periode') }} as periode,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        {{ clean_text('nama_jabatan') }} as nama_jabatan,
        {{ kode_sinonim('jenis_jabatan', 'jenis_jabatan') }} as jenis_jabatan,
        {{ clean_eselon('eselon') }} as eselon,
        kebutuhan::integer as kebutuhan,
        terisi::integer as terisi,
        coalesce(usulan_pengisian, 0)::integer as usulan_pengisian
    from source
),

final as (
    select
        *,
        {{ periode_to_date('periode') }} as tanggal_periode
    from renamed
)

select * from final
