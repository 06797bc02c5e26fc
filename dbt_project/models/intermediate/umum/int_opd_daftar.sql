{#- The OPD list of every pemda, in one place: the seed `opd` for the four seed cities, the current
    onboarded list (satudata/reference.py) for any other pemda. A pemda is never in both: onboarding
    refuses a seed city. -#}
with

seed as (
    select * from {{ ref('opd') }}
),

onboarded as (
    select * from {{ ref('stg_reference__opd') }}
),

seed_rows as (
    select
        kode_pemda,
        kode_opd,
        singkatan,
        nama_opd,
        'seed' as sumber
    from seed
),

onboarded_rows as (
    select
        kode_pemda,
        kode_opd,
        singkatan,
        nama_opd,
        'onboarded' as sumber
    from onboarded
    where kode_pemda not in (select kode_pemda from seed)
),

final as (
    select * from seed_rows
    union all
    select * from onboarded_rows
)

select * from final
