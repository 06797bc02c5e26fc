{#- Pemda (province, kabupaten, kota) with both code schemes and the Open Data Jabar names, and where
    its OPD list comes from (seed city, onboarded, or none yet). -#}
with

pemda as (
    select * from {{ ref('pemda') }}
),

opd as (
    select * from {{ ref('int_opd_daftar') }}
),

opd_per_pemda as (
    select
        kode_pemda,
        min(sumber) as sumber_daftar_opd,
        count(*) as jumlah_opd
    from opd
    group by kode_pemda
),

final as (
    select
        pemda.kode_pemda,
        pemda.kode_bps,
        pemda.nama_pemda,
        pemda.jenis,
        pemda.kode_provinsi as kode_provinsi_kemendagri,
        pemda.kode_provinsi_bps as kode_provinsi,
        upper(regexp_replace(pemda.nama_provinsi, '^PROVINSI\s+', '', 'i')) as nama_provinsi,
        case when pemda.jenis <> 'provinsi' then pemda.kode_bps end as kode_kabupaten_kota,
        case when pemda.jenis <> 'provinsi' then upper(pemda.nama_pemda) end as nama_kabupaten_kota,
        coalesce(opd_per_pemda.sumber_daftar_opd, 'belum') as sumber_daftar_opd,
        coalesce(opd_per_pemda.jumlah_opd, 0) as jumlah_opd
    from pemda
    left join opd_per_pemda
        on opd_per_pemda.kode_pemda = pemda.kode_pemda
)

select * from final
