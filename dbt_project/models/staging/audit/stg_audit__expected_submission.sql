{#- Expected submissions (source registry) with their status; `bulan_jatuh_tempo` is the month
    of the deadline, the time axis of the data-quality scorecard. -#}
with

source as (
    select * from {{ source('audit', 'expected_submission') }}
),

renamed as (
    select
        kode_pemda,
        upper(btrim(opd)) as opd_folder,
        dataset,
        periode,
        source_id,
        kind,
        deadline,
        to_char(deadline, 'YYYY-MM') as bulan_jatuh_tempo,
        status,
        partial,
        first_received_at,
        days_late,
        rows_loaded,
        rows_quarantined
    from source
)

select * from renamed
