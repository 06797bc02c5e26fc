{#- SP2D lines summed per pemda x OPD x tahun x jenis belanja (level 3, e.g. 5.1.02) x month, as SIPD
    recognises realisasi (Permendagri 77/2020; PSAP 02): LS and GU (and GU/TU NIHIL) are realisasi;
    UP and TU are advances to the bendahara, reported beside it as uang muka; a refund
    (PENGEMBALIAN, contra pos) is subtracted in the month it is booked. -#}
with

realisasi as (
    select * from {{ ref('stg_opd__realisasi_belanja') }}
),

resolved as (
    {{ resolve_opd('realisasi') }}
),


final as (
    select
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        kode_jenis_belanja,
        bulan,
        sum(nilai_realisasi) as realisasi_bulan,
        sum(case when nilai_realisasi > 0 then nilai_realisasi else 0 end) as realisasi_bruto_bulan,
        sum(case when jenis_sp2d = 'PENGEMBALIAN' then nilai else 0 end) as pengembalian_bulan,
        sum(nilai_uang_muka) as uang_muka_bulan,
        count(*) as jumlah_sp2d
    from resolved
    group by _kode_pemda, kode_opd, opd_key, tahun, kode_jenis_belanja, bulan
)

select * from final
