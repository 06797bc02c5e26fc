{#- ASN count per pemda x periode (month) x OPD x status kepegawaian x jenis kelamin (docs/disclosure.md).
    Status: PNS (CPNS counted with PNS) or PPPK (PPPK paruh waktu included); NON_ASN rows are not ASN.
    An OPD's status group of fewer than var('ambang_rincian') people is folded into the pemda's LAINNYA
    row group; a folded group still that small is not broken down by sex (SEMUA); broken-down groups are a
    complete grid of the sexes of the pemda-month (macro rincian_terbit). Counts under var('ambang_supresi')
    are suppressed (null, disupresi = true); the publisher adds complementary suppression. -#}
with

pegawai as (
    select * from {{ ref('fct_pegawai_bulanan') }}
    where is_asn
        and periode is not null
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

counted as (
    select
        pegawai.kode_pemda,
        opd.kode_opd,
        opd.nama_opd,
        pegawai.periode,
        pegawai.tahun,
        pegawai.bulan,
        case when pegawai.status_kepegawaian in ('PNS', 'CPNS') then 'PNS' else 'PPPK' end as status_kepegawaian,
        coalesce(pegawai.jenis_kelamin, 'TIDAK_DIKETAHUI') as jenis_kelamin,
        count(*) as jumlah
    from pegawai
    inner join opd
        on opd.opd_key = pegawai.opd_key
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

published as (
    {{ rincian_terbit('counted', ['periode', 'tahun', 'bulan'], ['status_kepegawaian'], 'jenis_kelamin') }}
),

suppressed as (
    select
        *,
        {{ suppress_small('jumlah') }} as jumlah_pegawai,
        {{ is_suppressed('jumlah') }} as disupresi
    from published
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        suppressed.kode_opd,
        suppressed.nama_opd,
        suppressed.periode,
        suppressed.bulan,
        suppressed.status_kepegawaian,
        suppressed.jenis_kelamin,
        suppressed.jumlah_pegawai,
        suppressed.disupresi,
        'ORANG' as satuan,
        suppressed.tahun
    from suppressed
    inner join pemda
        on pemda.kode_pemda = suppressed.kode_pemda
)

select * from final
