{#- One row per request line of a current file. Incremental: the pemda x period partitions whose
    files changed are rebuilt (macros/incremental.sql), and so are those holding a request whose
    service's SLA changed since it was built (a new standar pelayanan from the OPD). -#}
-- depends_on: {{ ref('stg_opd__permohonan_layanan') }}, {{ ref('int_jenis_layanan_terkini') }}
with

permohonan as (
    select * from {{ ref('int_permohonan_layanan_dinilai') }}
    {%- if is_incremental() %}
    where _partisi in (
        {{ changed_partitions(ref('stg_opd__permohonan_layanan')) }}
        union
        select built._partisi
        from {{ this }} as built
        left join {{ ref('int_jenis_layanan_terkini') }} as jenis_layanan
            on jenis_layanan.kode_pemda = built.kode_pemda
            and jenis_layanan.opd_key = built.opd_key
            and jenis_layanan.kode_layanan = built.kode_layanan
        where built.sla_hari_kerja is distinct from jenis_layanan.waktu_penyelesaian_hari
    )
    {%- endif %}
),

final as (
    select
        kode_pemda || '|' || nomor_permohonan || '|' || _file_id || '|' || _row_number as permohonan_key,
        *
    from permohonan
)

select * from final
