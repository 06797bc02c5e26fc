{#- Pemda-level LRA as DJPK publishes it. The hierarchy is the `level` of each line: given by the file,
    or read from the leading spaces of the akun by the profile djpk_lra (the loader trims akun). -#}
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
        level::integer as level,
        anggaran::numeric(20, 2) as anggaran,
        realisasi::numeric(20, 2) as realisasi,
        persentase::numeric(9, 2) as persentase
    from source
)

select * from renamed
