{#- Every spelling by which a row may name an OPD of its pemda: the SIPD unit code or the
    singkatan (both upper case), or the SIPD code of a unit of its crosswalk (sub-unit, UPTD,
    Puskesmas ...). Used by the resolve_opd macro. -#}
with

opd as (
    select * from {{ ref('int_opd_daftar') }}
),

unit as (
    select * from {{ ref('stg_reference__unit') }}
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

by_unit as (
    select
        unit.kode_pemda,
        upper(unit.kode_unit) as alias,
        unit.kode_opd,
        'KODE_UNIT' as jenis_alias
    from unit
    inner join opd
        on opd.kode_pemda = unit.kode_pemda
        and opd.kode_opd = unit.kode_opd
    where unit.kode_unit is not null
),

unioned as (
    select * from by_kode
    union all
    select * from by_singkatan
    union all
    select * from by_unit
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
