{#- Calendar with working days. A working day is not a Saturday, not a Sunday and not a
    `hari_libur` row (national holiday or cuti bersama). nomor_hari_kerja counts working days
    from the start of the spine up to and including the date, so the working days between two
    dates d1 < d2 (d1 excluded, d2 included) are nomor_hari_kerja(d2) - nomor_hari_kerja(d1). -#}
with

hari_libur as (
    select * from {{ ref('hari_libur') }}
),

spine as (
    {{ date_spine("'" ~ var('tanggal_mulai') ~ "'", "'" ~ var('tanggal_akhir') ~ "'") }}
),

libur_per_tanggal as (
    select
        tanggal::date as tanggal,
        string_agg(nama, '; ' order by nama) as nama_libur,
        string_agg(distinct jenis, '; ') as jenis_libur
    from hari_libur
    group by tanggal::date
),

flagged as (
    select
        spine.tanggal,
        extract(isodow from spine.tanggal)::integer as hari_iso,
        extract(isodow from spine.tanggal) in (6, 7) as is_akhir_pekan,
        libur_per_tanggal.tanggal is not null as is_hari_libur,
        libur_per_tanggal.nama_libur,
        libur_per_tanggal.jenis_libur
    from spine
    left join libur_per_tanggal
        on libur_per_tanggal.tanggal = spine.tanggal
),

working as (
    select
        *,
        -- sqlfluff 4.5 parses `not (` as a call of a function named not, hence LT01 and LT06 off here
        not (is_akhir_pekan or is_hari_libur) as is_hari_kerja  -- noqa: LT01, LT06
    from flagged
),

final as (
    select
        *,
        sum(case when is_hari_kerja then 1 else 0 end) over (
            order by tanggal rows between unbounded preceding and current row
        )::integer as nomor_hari_kerja
    from working
)

select * from final
