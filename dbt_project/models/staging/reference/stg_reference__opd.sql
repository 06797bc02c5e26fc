{#- The onboarded OPD lists, current version only (pemda that are not seed cities). -#}
with

versions as (
    select * from {{ source('reference', 'list_version') }}
    where kind = 'opd' and valid_to is null
),

opd as (
    select * from {{ source('reference', 'opd') }}
),

final as (
    select
        opd.kode_pemda,
        btrim(opd.kode_opd) as kode_opd,
        upper(btrim(opd.singkatan)) as singkatan,
        opd.nama_opd,
        opd.version_id,
        versions.valid_from
    from opd
    inner join versions
        on versions.version_id = opd.version_id
)

select * from final
