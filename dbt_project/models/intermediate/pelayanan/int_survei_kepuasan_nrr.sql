{#- NRR (nilai rata-rata) per unsur = mean score of the responses, per pemda x OPD x service x
    semester. Unrounded (numeric) so IKM is computed from exact means. -#}
with

survei as (
    select * from {{ ref('stg_opd__survei_kepuasan') }}
),

resolved as (
    {{ resolve_opd('survei') }}
),

final as (
    select
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        kode_layanan,
        tahun,
        semester,
        count(*) as jumlah_responden,
        {%- for i in range(1, 10) %}
        avg(u{{ i }}::numeric) as nrr_u{{ i }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from resolved
    group by _kode_pemda, kode_opd, opd_key, kode_layanan, tahun, semester
)

select * from final
