{#- SIPD Anggaran Kas: the monthly cash plan per OPD x sub kegiatan x rekening x tahapan. -#}
with

source as (
    select * from {{ source('opd', 'anggaran_kas') }}
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
        {{ clean_versi('versi') }} as versi,
        {{ clean_text('versi') }} as versi_dilaporkan,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        {{ clean_dotted_code('kode_sub_kegiatan') }} as kode_sub_kegiatan,
        {{ clean_dotted_code('kode_rekening') }} as kode_rekening,
        bulan::integer as bulan,
        rencana::numeric(20, 2) as rencana
    from source
),

final as (
    select
        *,
        {{ rekening_prefix('kode_rekening', 3) }} as kode_jenis_belanja,
        {{ urutan_versi('versi') }} as urutan_versi
    from renamed
)

select * from final
