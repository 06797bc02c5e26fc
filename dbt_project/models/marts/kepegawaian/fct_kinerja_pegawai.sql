{#- Annual SKP predikat, one row per employee per pemda per tahun (latest file wins), OPD
    resolved. Internal only: individual SKP is never published. -#}
with

kinerja as (
    select * from {{ ref('stg_opd__kinerja_pegawai') }}
    where nip is not null
),

resolved as (
    {{ resolve_opd('kinerja') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by _kode_pemda, tahun, nip
            order by _file_id desc, _row_number desc
        ) as urutan
    from resolved
),

final as (
    select
        _kode_pemda as kode_pemda,
        tahun,
        nip,
        kode_opd,
        opd_key,
        predikat,
        _file_id
    from ranked
    where urutan = 1
)

select * from final
