{#- Pemda-level LRA as DJPK publishes it; hierarchy may only be shown by leading spaces. -#}
with

source as (
    select * from {{ source('opd', 'lra') }}
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
        btrim(akun) as akun,
        length(akun) - length(ltrim(akun)) as indentasi,
        anggaran::numeric(20, 2) as anggaran,
        realisasi::numeric(20, 2) as realisasi,
        persentase::numeric(9, 2) as persentase
    from source
)

select * from renamed
