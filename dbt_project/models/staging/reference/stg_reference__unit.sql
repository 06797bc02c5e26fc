{#- The onboarded unit crosswalks (unit -> parent OPD), current version only. -#}
with

versions as (
    select * from {{ source('reference', 'list_version') }}
    where kind = 'unit' and valid_to is null
),

unit as (
    select * from {{ source('reference', 'unit') }}
),

final as (
    select
        unit.kode_pemda,
        unit.nama_unit,
        nullif(btrim(unit.kode_unit), '') as kode_unit,
        unit.jenis_unit,
        unit.kode_opd,
        unit.version_id
    from unit
    inner join versions
        on versions.version_id = unit.version_id
)

select * from final
