{#- IKM per pemda x OPD x service x semester, with mutu and the respondents against the
    Krejcie-Morgan minimum sample for the population = requests received in that semester. -#}
with

ikm as (
    select * from {{ ref('int_ikm_layanan_semester') }}
),

permohonan as (
    select * from {{ ref('fct_permohonan_layanan') }}
),

krejcie_morgan as (
    select * from {{ ref('krejcie_morgan') }}
),

layanan as (
    select * from {{ ref('dim_layanan') }}
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

populasi as (
    select
        opd_key,
        kode_layanan,
        tahun,
        semester,
        count(*) as jumlah_permohonan
    from permohonan
    group by opd_key, kode_layanan, tahun, semester
),

with_populasi as (
    select
        ikm.*,
        coalesce(populasi.jumlah_permohonan, 0) as populasi
    from ikm
    left join populasi
        on populasi.opd_key = ikm.opd_key
        and populasi.kode_layanan = ikm.kode_layanan
        and populasi.tahun = ikm.tahun
        and populasi.semester = ikm.semester
),

with_sampel as (
    select
        with_populasi.*,
        case
            when with_populasi.populasi = 0 then null
            else coalesce(
                (
                    select km.sampel_minimum
                    from krejcie_morgan as km
                    where km.populasi >= with_populasi.populasi
                    order by km.populasi
                    limit 1
                ),
                (select max(km.sampel_minimum) from krejcie_morgan as km)
            )
        end as sampel_minimum
    from with_populasi
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        with_sampel.kode_layanan,
        layanan.nama_layanan,
        with_sampel.semester,
        with_sampel.ikm_dibulatkan as ikm,
        with_sampel.mutu,
        with_sampel.kinerja,
        with_sampel.jumlah_responden,
        with_sampel.populasi,
        with_sampel.sampel_minimum,
        (with_sampel.jumlah_responden >= with_sampel.sampel_minimum) as sampel_memenuhi,
        {%- for i in range(1, 10) %}
        round(with_sampel.nrr_u{{ i }}, 3) as nrr_u{{ i }},
        {%- endfor %}
        'INDEKS' as satuan,
        with_sampel.tahun
    from with_sampel
    inner join opd
        on opd.opd_key = with_sampel.opd_key
    inner join pemda
        on pemda.kode_pemda = with_sampel.kode_pemda
    left join layanan
        on layanan.opd_key = with_sampel.opd_key
        and layanan.kode_layanan = with_sampel.kode_layanan
)

select * from final
