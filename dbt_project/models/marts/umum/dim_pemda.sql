{#- Pemda (province, kabupaten, kota) with both code schemes and the Open Data Jabar names. -#}
with

pemda as (
    select * from {{ ref('pemda') }}
),

final as (
    select
        kode_pemda,
        kode_bps,
        nama_pemda,
        jenis,
        kode_provinsi as kode_provinsi_kemendagri,
        kode_provinsi_bps as kode_provinsi,
        upper(regexp_replace(nama_provinsi, '^PROVINSI\s+', '', 'i')) as nama_provinsi,
        case when jenis <> 'provinsi' then kode_bps end as kode_kabupaten_kota,
        case when jenis <> 'provinsi' then upper(nama_pemda) end as nama_kabupaten_kota
    from pemda
)

select * from final
