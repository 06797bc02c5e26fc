with

opd as (
    select * from {{ ref('int_opd_daftar') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

final as (
    select
        {{ opd_key('opd.kode_pemda', 'opd.kode_opd') }} as opd_key,
        opd.kode_pemda,
        opd.kode_opd,
        upper(opd.singkatan) as singkatan,
        opd.nama_opd,
        opd.sumber as sumber_daftar,
        pemda.nama_pemda,
        pemda.kode_bps
    from opd
    left join pemda
        on pemda.kode_pemda = opd.kode_pemda
)

select * from final
