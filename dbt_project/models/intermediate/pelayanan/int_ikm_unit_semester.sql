{#- IKM of a unit (OPD) per pemda x tahun x semester over ALL its respondents (PermenPAN-RB 14/2017:
    the unit's NRR per unsur is the mean over every respondent of the unit, not a mean of the
    services' IKM). From the per-service NRR weighted by their respondents, which is that mean. -#}
with

nrr_layanan as (
    select * from {{ ref('int_survei_kepuasan_nrr') }}
),

nrr as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        semester,
        count(*) as jumlah_layanan,
        sum(jumlah_responden) as jumlah_responden,
        {%- for i in range(1, 10) %}
        sum(nrr_u{{ i }} * jumlah_responden) / sum(jumlah_responden) as nrr_u{{ i }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from nrr_layanan
    where opd_key is not null
    group by kode_pemda, kode_opd, opd_key, tahun, semester
),

computed as (
    select
        *,
        {{ ikm_from_nrr('nrr_u') }} as ikm,
        {{ ikm_from_nrr_bobot_0111('nrr_u') }} as ikm_bobot_0111_tidak_dibulatkan
    from nrr
),

final as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        semester,
        jumlah_layanan,
        jumlah_responden,
        {%- for i in range(1, 10) %}
        nrr_u{{ i }},
        {%- endfor %}
        ikm,
        round(ikm, 2) as ikm_dibulatkan,
        {{ mutu_ikm('round(ikm, 2)') }} as mutu,
        {{ kinerja_ikm('round(ikm, 2)') }} as kinerja,
        round(ikm_bobot_0111_tidak_dibulatkan, 2) as ikm_bobot_0111
    from computed
)

select * from final
