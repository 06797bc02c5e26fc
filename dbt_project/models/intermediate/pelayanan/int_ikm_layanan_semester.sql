{#- IKM per pemda x OPD x service x semester from the nine NRR (weight exactly 1/9), its
    rounded value, mutu and kinerja; plus the value an office using the 0.11 weight would get
    (ikm_bobot_011, for reconciliation only). -#}
with

nrr as (
    select * from {{ ref('int_survei_kepuasan_nrr') }}
),

computed as (
    select
        *,
        {{ ikm_from_nrr('nrr_u') }} as ikm,
        {{ ikm_from_nrr_bobot_011('nrr_u') }} as ikm_bobot_011_tidak_dibulatkan,
        {{ ikm_from_nrr_bobot_0111('nrr_u') }} as ikm_bobot_0111_tidak_dibulatkan
    from nrr
),

rounded as (
    select
        *,
        round(ikm, 2) as ikm_dibulatkan,
        round(ikm_bobot_011_tidak_dibulatkan, 2) as ikm_bobot_011,
        round(ikm_bobot_0111_tidak_dibulatkan, 2) as ikm_bobot_0111
    from computed
),

final as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        kode_layanan,
        tahun,
        semester,
        jumlah_responden,
        {%- for i in range(1, 10) %}
        nrr_u{{ i }},
        {%- endfor %}
        ikm,
        ikm_dibulatkan,
        {{ mutu_ikm('ikm_dibulatkan') }} as mutu,
        {{ kinerja_ikm('ikm_dibulatkan') }} as kinerja,
        ikm_bobot_011,
        {{ mutu_ikm('ikm_bobot_011') }} as mutu_bobot_011,
        ikm_bobot_0111,
        {{ mutu_ikm('ikm_bobot_0111') }} as mutu_bobot_0111
    from rounded
)

select * from final
