with

jenis_layanan as (
    select * from {{ ref('int_jenis_layanan_terkini') }}
),

final as (
    select * from jenis_layanan
)

select * from final
