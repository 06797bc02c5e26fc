{#- Monthly employee snapshot: one row per employee per pemda per periode. Internal (NIP kept
    for joins); never published as such. Incremental, like int_pegawai_bulanan: only the pemda x
    periode partitions whose files changed are copied again (macros/incremental.sql). -#}
-- depends_on: {{ ref('stg_opd__pegawai') }}
with

pegawai_bulanan as (
    select * from {{ ref('int_pegawai_bulanan') }}
    {%- if is_incremental() %}
    where _partisi in ({{ changed_partitions(ref('stg_opd__pegawai')) }})
    {%- endif %}
),

final as (
    select * from pegawai_bulanan
)

select * from final
