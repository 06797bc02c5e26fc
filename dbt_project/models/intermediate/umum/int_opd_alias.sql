{#- Every spelling by which a row may name an OPD of its pemda: the SIPD unit code or the
    singkatan (both upper case). Used by the resolve_opd macro. -#}
with

opd as (
    select * from {{ ref('opd') }}
),

by_kode as (
    select
        kode_pemda,
        upper(btrim(kode_opd)) as alias,
        kode_opd,
        'KODE_SIPD' as jenis_alias
    from opd
),

by_singkatan as (
    select
        kode_pemda,
        upper(btrim(singkatan)) as alias,
        kode_opd,
        'SINGKATAN' as jenis_alias
    from opd
    where singkatan is not null
),

unioned as (
    select * from by_kode
    union all
    select * from by_singkatan
),

final as (
    select distinct on (kode_pemda, alias)
        kode_pemda,
        alias,
        kode_opd,
        jenis_alias
    from unioned
    order by kode_pemda, alias, jenis_alias
)

select * from final
