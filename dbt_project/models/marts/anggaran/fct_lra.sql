{#- Pemda-level LRA as DJPK publishes it, one row per account line of the latest current file
    per pemda x tahun (used to reconcile OPD-level realisasi with the Ministry's figures). -#}
with

lra as (
    select * from {{ ref('stg_opd__lra') }}
),

latest_file as (
    select
        _kode_pemda,
        tahun,
        max(_file_id) as _file_id
    from lra
    group by _kode_pemda, tahun
),

final as (
    select
        lra._kode_pemda || '|' || lra.tahun || '|' || lra._row_number || '|' || coalesce(lra._sheet, '') as lra_key,
        lra._kode_pemda as kode_pemda,
        lra.tahun,
        lra.akun,
        lra.level,
        lra.anggaran,
        lra.realisasi,
        lra.persentase,
        lra._row_number,
        lra._file_id
    from lra
    inner join latest_file
        on latest_file._kode_pemda = lra._kode_pemda
        and latest_file.tahun = lra.tahun
        and latest_file._file_id = lra._file_id
)

select * from final
