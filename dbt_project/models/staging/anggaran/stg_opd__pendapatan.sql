with

source as (
    select * from {{ source('opd', 'pendapatan') }}
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
        bulan::integer as bulan,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        {{ clean_dotted_code('kode_rekening') }} as kode_rekening,
        target::numeric(20, 2) as target,
        realisasi::numeric(20, 2) as realisasi
    from source
),

final as (
    select
        *,
        {{ rekening_prefix('kode_rekening', 3) }} as kode_jenis_pendapatan
    from renamed
)

select * from final
