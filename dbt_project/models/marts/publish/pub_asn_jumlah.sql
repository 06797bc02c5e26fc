{#- ASN count per pemda x periode (month) x OPD x status x golongan group x sex x education.
    NON_ASN rows are not ASN and are not counted. Counts under var('ambang_supresi') are
    suppressed (null, disupresi = true). -#}
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
        kode_pemda,
        opd_key,
        periode,
        tahun,
        bulan,
        status_kepegawaian,
        golongan_kelompok,
        coalesce(jenis_kelamin, 'TIDAK_DIKETAHUI') as jenis_kelamin,
        coalesce(pendidikan, 'TIDAK_DIKETAHUI') as pendidikan,
        count(*) as jumlah
    from pegawai
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
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
        suppressed.status_kepegawaian,
        suppressed.golongan_kelompok,
        suppressed.jenis_kelamin,
        suppressed.pendidikan,
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
