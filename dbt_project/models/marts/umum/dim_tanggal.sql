{#- Calendar from the date_spine macro (vars tanggal_mulai .. tanggal_akhir), with Indonesian
    names, periode, semester and working days. -#}
with

kalender as (
    select * from {{ ref('int_tanggal_hari_kerja') }}
),

final as (
    select
        tanggal,
        extract(year from tanggal)::integer as tahun,
        extract(month from tanggal)::integer as bulan,
        to_char(tanggal, 'YYYY-MM') as periode,
        extract(quarter from tanggal)::integer as triwulan,
        case when extract(month from tanggal) <= 6 then 1 else 2 end as semester,
        (array['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
               'September', 'Oktober', 'November', 'Desember'])[extract(month from tanggal)::integer] as nama_bulan,
        hari_iso,
        (array['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu', 'Minggu'])[hari_iso] as nama_hari,
        is_akhir_pekan,
        is_hari_libur,
        nama_libur,
        jenis_libur,
        is_hari_kerja,
        nomor_hari_kerja
    from kalender
)

select * from final
