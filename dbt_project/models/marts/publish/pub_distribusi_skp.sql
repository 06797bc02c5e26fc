{#- SKP predikat distribution per pemda x tahun x OPD x predikat (SANGAT_BAIK, BAIK, DI_BAWAH_BAIK =
    butuh perbaikan, kurang or sangat kurang, TIDAK_DIKETAHUI), as a complete grid: every OPD of the
    pemda-year gets a row for every predikat given in that pemda-year, 0 when nobody has it, so a missing
    row never tells that nobody has a predikat. An OPD of fewer than var('ambang_rincian') people assessed
    is folded into the pemda's LAINNYA row group, not broken down (SEMUA) when still that small (macro
    rincian_terbit). Person-based: counts 1..var('ambang_supresi')-1 are
    suppressed (null, disupresi = true); dominance rule: when one predikat holds at least
    var('ambang_dominasi_persen') % of an OPD's people, the whole OPD-year distribution is hidden (it would
    tell each person's rating). The publisher adds complementary suppression (satudata/publish/disclosure.py). -#}
with

kinerja as (
    select * from {{ ref('fct_kinerja_pegawai') }}
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

counted as (
    select
        kinerja.kode_pemda,
        opd.kode_opd,
        opd.nama_opd,
        kinerja.tahun,
        case
            when kinerja.predikat in ('SANGAT_BAIK', 'BAIK') then kinerja.predikat
            when kinerja.predikat in ('BUTUH_PERBAIKAN', 'KURANG', 'SANGAT_KURANG') then 'DI_BAWAH_BAIK'
            else 'TIDAK_DIKETAHUI'
        end as predikat,
        count(*) as jumlah
    from kinerja
    inner join opd
        on opd.opd_key = kinerja.opd_key
    group by 1, 2, 3, 4, 5
),

grid as (
    {{ rincian_terbit('counted', ['tahun'], [], 'predikat') }}
),

dominance as (
    select
        *,
        (
            predikat != 'SEMUA'
            and {{ is_dominated('jumlah', 'kode_pemda, kode_opd, tahun') }}
        ) as didominasi
    from grid
),

suppressed as (
    select
        *,
        case when didominasi then null else {{ suppress_small('jumlah') }} end as jumlah_pegawai,
        (didominasi or {{ is_suppressed('jumlah') }}) as disupresi
    from dominance
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        suppressed.kode_opd,
        suppressed.nama_opd,
        suppressed.predikat,
        suppressed.jumlah_pegawai,
        suppressed.disupresi,
        'ORANG' as satuan,
        suppressed.tahun
    from suppressed
    inner join pemda
        on pemda.kode_pemda = suppressed.kode_pemda
)

select * from final
