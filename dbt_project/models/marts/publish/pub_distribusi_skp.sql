{#- SKP predikat distribution per pemda x tahun x OPD x predikat, as a complete grid: every OPD of the
    pemda-year gets a row for every predikat given in that pemda-year, 0 when nobody has it, so a missing
    row never tells that nobody has a predikat. Person-based: counts 1..var('ambang_supresi')-1 are
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
        kode_pemda,
        opd_key,
        tahun,
        coalesce(predikat, 'TIDAK_DIKETAHUI') as predikat,
        count(*) as jumlah
    from kinerja
    group by kode_pemda, opd_key, tahun, coalesce(predikat, 'TIDAK_DIKETAHUI')
),

grid as (
    select
        o.kode_pemda,
        o.opd_key,
        o.tahun,
        p.predikat,
        coalesce(c.jumlah, 0) as jumlah
    from (select distinct kode_pemda, opd_key, tahun from counted) as o
    inner join (select distinct kode_pemda, tahun, predikat from counted) as p
        on p.kode_pemda = o.kode_pemda
        and p.tahun = o.tahun
    left join counted as c
        on c.kode_pemda = o.kode_pemda
        and c.opd_key = o.opd_key
        and c.tahun = o.tahun
        and c.predikat = p.predikat
),

dominance as (
    select
        *,
        {{ is_dominated('jumlah', 'kode_pemda, opd_key, tahun') }} as didominasi
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
        opd.kode_opd,
        opd.nama_opd,
        suppressed.predikat,
        suppressed.jumlah_pegawai,
        suppressed.disupresi,
        'ORANG' as satuan,
        suppressed.tahun
    from suppressed
    inner join opd
        on opd.opd_key = suppressed.opd_key
    inner join pemda
        on pemda.kode_pemda = suppressed.kode_pemda
)

select * from final
