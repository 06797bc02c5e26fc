{#- Monthly employee snapshot: one row per employee per pemda per periode. Internal (NIP kept
    for joins); never published as such. -#}
with

pegawai_bulanan as (
    select * from {{ ref('int_pegawai_bulanan') }}
),

final as (
    select * from pegawai_bulanan
)

select * from final
