with

permohonan as (
    select * from {{ ref('int_permohonan_layanan_dinilai') }}
),

final as (
    select
        kode_pemda || '|' || nomor_permohonan || '|' || _file_id || '|' || _row_number as permohonan_key,
        *
    from permohonan
)

select * from final
