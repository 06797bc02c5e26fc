{#- REC-004: the salary paid (GAJI, THR, GAJI_13) per pemda x OPD (landing folder) x periode against the
    SP2D on rekening 5.1.01.01 (Belanja Gaji dan Tunjangan ASN) that pay it. The SP2D of a salary is
    usually dated before the pay day, often in the month before (M-1), so an SP2D is matched to a pay
    run, not to its own month: it pays the OPD's first GAJI/THR/GAJI_13 run paid (else due) on or
    after the SP2D date whose periode is at most var('toleransi_bulan_sp2d_gaji') months after the
    SP2D's month; an SP2D that pays no such run counts in the month it is dated. Only OPD-years that
    sent both datasets are compared. -#}
with

pembayaran as (
    select * from {{ ref('stg_opd__pembayaran_penghasilan') }}
    where jenis_penghasilan in ('GAJI', 'THR', 'GAJI_13')
        and periode is not null
),

sp2d as (
    select
        *,
        row_number() over () as _sp2d
    from {{ ref('stg_opd__realisasi_belanja') }}
    where kode_rekening like '5.1.01.01.%'
        and tanggal_sp2d is not null
),

runs as (
    select
        _kode_pemda as kode_pemda,
        _opd_folder as opd,
        periode,
        tanggal_periode,
        coalesce(tanggal_bayar, tanggal_jatuh_tempo) as tanggal_run,
        nilai_bruto
    from pembayaran
),

pilihan as (
    -- each SP2D -> the periode of the first run paid on or after it, within the tolerance: the runs of
    -- its OPD joined by equality, then the first kept (a subquery per SP2D read every run of every OPD
    -- for each one: 38 s at provinsi size)
    select distinct on (s._sp2d)
        s._sp2d,
        r.periode
    from sp2d as s
    inner join runs as r
        on r.kode_pemda = s._kode_pemda
        and r.opd = s._opd_folder
    where r.tanggal_run >= s.tanggal_sp2d
        and r.tanggal_periode >= date_trunc('month', s.tanggal_sp2d)::date
        and r.tanggal_periode
        <= (
            date_trunc('month', s.tanggal_sp2d)
            + interval '{{ var("toleransi_bulan_sp2d_gaji") }} month'
        )::date
    order by s._sp2d, r.tanggal_run, r.tanggal_periode
),

dibayar_untuk as (
    -- an SP2D that pays no run counts in the month it is dated
    select
        s._kode_pemda as kode_pemda,
        s._opd_folder as opd,
        s.tanggal_sp2d,
        s.nilai,
        coalesce(p.periode, to_char(s.tanggal_sp2d, 'YYYY-MM')) as periode
    from sp2d as s
    left join pilihan as p on p._sp2d = s._sp2d
),

gaji as (
    select kode_pemda, opd, periode, sum(nilai_bruto) as nilai_gaji
    from runs
    group by kode_pemda, opd, periode
),

belanja as (
    select
        kode_pemda,
        opd,
        periode,
        sum(nilai) as nilai_sp2d,
        count(*) filter (where to_char(tanggal_sp2d, 'YYYY-MM') < periode) as jumlah_sp2d_bulan_sebelumnya
    from dibayar_untuk
    group by kode_pemda, opd, periode
),

keduanya as (
    select kode_pemda, opd, left(periode, 4) as tahun from gaji
    intersect
    select _kode_pemda, _opd_folder, tahun::text from {{ ref('stg_opd__realisasi_belanja') }}
),

final as (
    select
        coalesce(gaji.kode_pemda, belanja.kode_pemda) as kode_pemda,
        coalesce(gaji.opd, belanja.opd) as opd,
        coalesce(gaji.periode, belanja.periode) as periode,
        coalesce(gaji.nilai_gaji, 0)::numeric(20, 2) as nilai_gaji,
        coalesce(belanja.nilai_sp2d, 0)::numeric(20, 2) as nilai_sp2d,
        (coalesce(gaji.nilai_gaji, 0) - coalesce(belanja.nilai_sp2d, 0))::numeric(20, 2) as selisih,
        coalesce(belanja.jumlah_sp2d_bulan_sebelumnya, 0) as jumlah_sp2d_bulan_sebelumnya
    from gaji
    full join belanja
        on belanja.kode_pemda = gaji.kode_pemda
        and belanja.opd = gaji.opd
        and belanja.periode = gaji.periode
    inner join keduanya
        on keduanya.kode_pemda = coalesce(gaji.kode_pemda, belanja.kode_pemda)
        and keduanya.opd = coalesce(gaji.opd, belanja.opd)
        and keduanya.tahun = left(coalesce(gaji.periode, belanja.periode), 4)
)

select * from final
