with

source as (
    select * from {{ source('audit', 'source_file') }}
),

renamed as (
    select
        file_id,
        path,
        sha256,
        size_bytes,
        kode_pemda,
        upper(btrim(opd)) as opd_folder,
        dataset,
        received_at,
        status,
        coalesce(rows_read, 0) as rows_read,
        coalesce(rows_loaded, 0) as rows_loaded,
        coalesce(rows_quarantined, 0) as rows_quarantined,
        coalesce(rows_set_aside, 0) as rows_set_aside,
        profile,
        superseded_by,
        reasons,
        (superseded_by is null and status in ('loaded', 'loaded_with_warnings')) as is_current
    from source
)

select * from renamed
