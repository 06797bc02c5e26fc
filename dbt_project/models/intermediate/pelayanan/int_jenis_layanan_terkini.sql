{#- Service standards with OPD resolved, one row per pemda x OPD x kode_layanan: when a service
    is listed more than once in current files, the latest file (then the last row) wins. -#}
with

jenis_layanan as (
    select * from {{ ref('stg_opd__jenis_layanan') }}
),

resolved as (
    {{ resolve_opd('jenis_layanan') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by _kode_pemda, opd_key, kode_layanan
            order by _file_id desc, _row_number desc
        ) as urutan
    from resolved
),

final as (
    select
        {{ layanan_key('_kode_pemda', 'kode_opd', 'kode_layanan') }} as layanan_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        kode_layanan,
        nama_layanan,
        waktu_penyelesaian_hari,
        biaya,
        dasar_hukum
    from ranked
    where urutan = 1
)

select * from final
