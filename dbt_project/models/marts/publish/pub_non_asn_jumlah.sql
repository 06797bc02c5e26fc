{#- Non-ASN headcount per pemda x periode (month) x OPD x jenis non-ASN (THL, PTT, HONORER, KONTRAK,
    or TIDAK_DIKETAHUI), its own counts beside pub_asn_jumlah, never added to ASN. Counts under
    var('ambang_supresi') are suppressed (null, disupresi = true), as in pub_asn_jumlah. -#}
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
        kode_pemda,
        opd_key,
        periode,
        tahun,
        bulan,
        case
            when jenis_non_asn in ('THL', 'PTT', 'HONORER', 'KONTRAK') then jenis_non_asn
            else 'TIDAK_DIKETAHUI'
        end as jenis_non_asn,
        count(*) as jumlah
    from pegawai
    group by 1, 2, 3, 4, 5, 6
),

suppressed as (
    select
        *,
        {{ suppress_small('jumlah') }} as jumlah_pegawai,
        {{ is_suppressed('jumlah') }} as disupresi
    from counted
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        suppressed.periode,
        suppressed.bulan,
        suppressed.jenis_non_asn,
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
