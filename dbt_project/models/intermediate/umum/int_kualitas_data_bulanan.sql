{#- Data quality per pemda x OPD x submission month. Two views of the same month:
    - files received in the month (audit.source_file, WIB): files, rejected files, datasets,
      rows read / loaded / quarantined;
    - submissions due in the month (audit.expected_submission, by deadline): expected, received
      (on time or late), on time, partial. Empty when no source registry is configured. -#}
with

source_file as (
    select * from {{ ref('stg_audit__source_file') }}
),

expected as (
    select * from {{ ref('stg_audit__expected_submission') }}
),

alias as (
    select * from {{ ref('int_opd_alias') }}
),

files_resolved as (
    select
        source_file.*,
        to_char((source_file.received_at at time zone 'Asia/Jakarta')::date, 'YYYY-MM') as periode,
        {{ opd_key('alias.kode_pemda', 'alias.kode_opd') }} as opd_key
    from source_file
    inner join alias
        on alias.kode_pemda = source_file.kode_pemda
        and alias.alias = source_file.opd_folder
),

files_per_month as (
    select
        kode_pemda,
        opd_key,
        periode,
        count(*) as jumlah_file,
        -- refused as a whole; a file later replaced by a correction (superseded) was not refused
        count(*) filter (where status = 'rejected') as jumlah_file_ditolak,
        count(distinct dataset) as jumlah_dataset,
        sum(rows_read) as baris_dibaca,
        sum(rows_loaded) as baris_dimuat,
        sum(rows_quarantined) as baris_karantina,
        sum(rows_set_aside) as baris_disisihkan
    from files_resolved
    group by kode_pemda, opd_key, periode
),

expected_resolved as (
    select
        expected.*,
        {{ opd_key('alias.kode_pemda', 'alias.kode_opd') }} as opd_key
    from expected
    inner join alias
        on alias.kode_pemda = expected.kode_pemda
        and alias.alias = expected.opd_folder
),

expected_per_month as (
    select
        kode_pemda,
        opd_key,
        bulan_jatuh_tempo as periode,
        count(*) as jumlah_kiriman_diharapkan,
        count(*) filter (where status in ('on_time', 'late')) as jumlah_kiriman_diterima,
        count(*) filter (where status = 'on_time') as jumlah_kiriman_tepat_waktu,
        count(*) filter (where partial) as jumlah_kiriman_sebagian
    from expected_resolved
    group by kode_pemda, opd_key, bulan_jatuh_tempo
),

final as (
    select
        coalesce(files_per_month.kode_pemda, expected_per_month.kode_pemda) as kode_pemda,
        coalesce(files_per_month.opd_key, expected_per_month.opd_key) as opd_key,
        coalesce(files_per_month.periode, expected_per_month.periode) as periode,
        coalesce(files_per_month.jumlah_file, 0) as jumlah_file,
        coalesce(files_per_month.jumlah_file_ditolak, 0) as jumlah_file_ditolak,
        coalesce(files_per_month.jumlah_dataset, 0) as jumlah_dataset,
        coalesce(files_per_month.baris_dibaca, 0) as baris_dibaca,
        coalesce(files_per_month.baris_dimuat, 0) as baris_dimuat,
        coalesce(files_per_month.baris_karantina, 0) as baris_karantina,
        coalesce(files_per_month.baris_disisihkan, 0) as baris_disisihkan,
        coalesce(expected_per_month.jumlah_kiriman_diharapkan, 0) as jumlah_kiriman_diharapkan,
        coalesce(expected_per_month.jumlah_kiriman_diterima, 0) as jumlah_kiriman_diterima,
        coalesce(expected_per_month.jumlah_kiriman_tepat_waktu, 0) as jumlah_kiriman_tepat_waktu,
        coalesce(expected_per_month.jumlah_kiriman_sebagian, 0) as jumlah_kiriman_sebagian
    from files_per_month
    full outer join expected_per_month
        on expected_per_month.kode_pemda = files_per_month.kode_pemda
        and expected_per_month.opd_key = files_per_month.opd_key
        and expected_per_month.periode = files_per_month.periode
)

select * from final
