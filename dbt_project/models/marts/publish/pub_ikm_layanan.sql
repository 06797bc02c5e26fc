{#- IKM per pemda x OPD x service x semester, with mutu and the respondents against the
    Krejcie-Morgan minimum sample for the population = requests received in that semester. Below the
    minimum sample, IKM is shown and mutu/kinerja are left empty with the reason (PermenPAN-RB
    14/2017). selisih_bobot_0111 = IKM (weight 1/9) - IKM with the weight 0.111. -#}
with

ikm as (
    select * from {{ ref('int_ikm_layanan_semester') }}
),

permohonan as (
    select * from {{ ref('fct_permohonan_layanan') }}
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
        {{ sampel_minimum_krejcie_morgan('with_populasi.populasi') }} as sampel_minimum
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
        round(with_sampel.ikm_dibulatkan - with_sampel.ikm_bobot_0111, 2) as selisih_bobot_0111,
        case when not {{ mutu_ditahan('with_sampel.jumlah_responden', 'with_sampel.sampel_minimum') }}
            then with_sampel.mutu end as mutu,
        case when not {{ mutu_ditahan('with_sampel.jumlah_responden', 'with_sampel.sampel_minimum') }}
            then with_sampel.kinerja end as kinerja,
        {{ alasan_mutu_kosong('with_sampel.jumlah_responden', 'with_sampel.sampel_minimum', 'with_sampel.populasi') }}
            as alasan_mutu_kosong,
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
