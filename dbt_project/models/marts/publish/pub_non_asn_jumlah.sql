{#- Non-ASN headcount per pemda x periode (month) x OPD x jenis non-ASN (THL, PTT, HONORER, KONTRAK,
    or TIDAK_DIKETAHUI), its own counts beside pub_asn_jumlah, never added to ASN. An OPD of fewer than
    var('ambang_rincian') non-ASN in a month is folded into the pemda's LAINNYA row group; a folded group
    still that small is not broken down (jenis SEMUA); broken-down groups are a complete grid of the kinds
    of the pemda-month (macro rincian_terbit). Counts under var('ambang_supresi') are suppressed (null,
    disupresi = true), as in pub_asn_jumlah. -#}
with

pegawai as (
    select * from {{ ref('fct_pegawai_bulanan') }}
    where status_kepegawaian = 'NON_ASN'
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
        case
            when pegawai.jenis_non_asn in ('THL', 'PTT', 'HONORER', 'KONTRAK') then pegawai.jenis_non_asn
            else 'TIDAK_DIKETAHUI'
        end as jenis_non_asn,
        count(*) as jumlah
    from pegawai
    inner join opd
        on opd.opd_key = pegawai.opd_key
    group by 1, 2, 3, 4, 5, 6, 7
),

published as (
    {{ rincian_terbit('counted', ['periode', 'tahun', 'bulan'], [], 'jenis_non_asn') }}
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
        suppressed.jenis_non_asn,
        suppressed.jumlah_pegawai,
        suppressed.disupresi,
        'ORANG' as satuan,
        suppressed.tahun
    from suppressed
    inner join pemda
        on pemda.kode_pemda = suppressed.kode_pemda
)

select * from final
