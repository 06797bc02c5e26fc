{#- SPM achievement; the file carries no kode_opd: the OPD is the landing folder. -#}
with

source as (
    select * from {{ source('opd', 'capaian_spm') }}
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
        {{ clean_code('bidang') }} as bidang,
        upper(btrim(kode_indikator)) as kode_indikator,
        sasaran::integer as sasaran,
        terlayani::integer as terlayani
    from source
)

select * from renamed
