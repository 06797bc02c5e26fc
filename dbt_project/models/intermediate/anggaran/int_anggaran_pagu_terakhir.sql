{#- Budget lines of the latest versi per pemda x tahun x OPD: PERUBAHAN when that OPD has
    PERUBAHAN lines for the year, else MURNI. One row per budget line of the chosen versi. -#}
with

anggaran as (
    select * from {{ ref('stg_opd__anggaran') }}
    where versi in ('MURNI', 'PERUBAHAN')
),

resolved as (
    {{ resolve_opd('anggaran') }}
),

ranked_versi as (
    select
        *,
        case versi when 'PERUBAHAN' then 2 else 1 end as urutan_versi
    from resolved
),

latest_versi as (
    select
        _kode_pemda,
        tahun,
        opd_key,
        max(urutan_versi) as urutan_versi_terakhir
    from ranked_versi
    group by _kode_pemda, tahun, opd_key
),

final as (
    select
        ranked_versi._kode_pemda as kode_pemda,
        ranked_versi.kode_opd,
        ranked_versi.opd_key,
        ranked_versi.tahun,
        ranked_versi.versi,
        ranked_versi.kode_sub_kegiatan,
        ranked_versi.nama_sub_kegiatan,
        ranked_versi.kode_rekening,
        ranked_versi.uraian_rekening,
        ranked_versi.kode_jenis_belanja,
        ranked_versi.pagu,
        ranked_versi.sumber_dana,
        ranked_versi.tagging,
        ranked_versi._file_id,
        ranked_versi._row_number
    from ranked_versi
    inner join latest_versi
        on latest_versi._kode_pemda = ranked_versi._kode_pemda
        and latest_versi.tahun = ranked_versi.tahun
        -- null-safe as coalesce(.., '') = coalesce(.., ''), never '' here: unlike IS NOT DISTINCT FROM it can be a hash join key
        and coalesce(latest_versi.opd_key, '') = coalesce(ranked_versi.opd_key, '')
        and latest_versi.urutan_versi_terakhir = ranked_versi.urutan_versi
)

select * from final
