with

source as (
    select * from {{ source('opd', 'pembayaran_penghasilan') }}
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
        {{ clean_jenis_penghasilan('jenis_penghasilan') }} as jenis_penghasilan,
        jumlah_penerima::integer as jumlah_penerima,
        nilai_bruto::numeric(20, 2) as nilai_bruto,
        tanggal_jatuh_tempo,
        tanggal_bayar
    from source
),

final as (
    select
        *,
        {{ periode_to_date('periode') }} as tanggal_periode
    from renamed
)

select * from final
