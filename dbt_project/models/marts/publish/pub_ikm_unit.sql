{#- IKM of each unit (OPD) per pemda x semester over all its respondents (int_ikm_unit_semester), beside
    the IKM per service (pub_ikm_layanan). The population of the minimum sample is every request the
    OPD received in the semester; below the Krejcie-Morgan minimum, IKM is shown and mutu/kinerja are
    left empty with the reason (PermenPAN-RB 14/2017). -#}
with

ikm as (
    select * from {{ ref('int_ikm_unit_semester') }}
),

permohonan as (
    select * from {{ ref('fct_permohonan_layanan') }}
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
        tahun,
        semester,
        count(*) as jumlah_permohonan
    from permohonan
    group by opd_key, tahun, semester
),

with_sampel as (
    select
        ikm.*,
        coalesce(populasi.jumlah_permohonan, 0) as populasi,
        {{ sampel_minimum_krejcie_morgan('populasi.jumlah_permohonan') }} as sampel_minimum
    from ikm
    left join populasi
        on populasi.opd_key = ikm.opd_key
        and populasi.tahun = ikm.tahun
        and populasi.semester = ikm.semester
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        with_sampel.semester,
        with_sampel.ikm_dibulatkan as ikm,
        round(with_sampel.ikm_dibulatkan - with_sampel.ikm_bobot_0111, 2) as selisih_bobot_0111,
        case when not {{ mutu_ditahan('with_sampel.jumlah_responden', 'with_sampel.sampel_minimum') }}
            then with_sampel.mutu end as mutu,
        case when not {{ mutu_ditahan('with_sampel.jumlah_responden', 'with_sampel.sampel_minimum') }}
            then with_sampel.kinerja end as kinerja,
        {{ alasan_mutu_kosong('with_sampel.jumlah_responden', 'with_sampel.sampel_minimum', 'with_sampel.populasi') }}
            as alasan_mutu_kosong,
        with_sampel.jumlah_layanan,
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
)

select * from final
