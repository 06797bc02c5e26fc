{#- IKM (PermenPAN-RB 14/2017): IKM = (NRR_u1 + ... + NRR_u9) / 9 x 25, i.e. the weight of
    each unsur is exactly 1/9 (not the rounded 0.11, which some offices use and which lowers
    IKM by 1% of its value, about 1 point). The mutu is decided on IKM rounded to 2 decimals,
    so the gaps between bands (88.30 | 88.31) cannot swallow a value. -#}
{% macro ikm_from_nrr(prefix='nrr_u') -%}
    (
        {%- for i in range(1, 10) %}{{ prefix }}{{ i }}{% if not loop.last %} + {% endif %}{% endfor -%}
    ) / 9.0 * 25
{%- endmacro %}

{#- same, with the rounded weight 0.11 (for reconciling with offices that use it; never published as IKM) -#}
{% macro ikm_from_nrr_bobot_011(prefix='nrr_u') -%}
    (
        {%- for i in range(1, 10) %}{{ prefix }}{{ i }}{% if not loop.last %} + {% endif %}{% endfor -%}
    ) * 0.11 * 25
{%- endmacro %}

{#- same, with the weight 0.111 (1/9 written with three decimals, as many SKM spreadsheets do): IKM x 0.999,
    0.1% lower (0.09 point at 88.31); published beside IKM as the size of the difference, never as IKM -#}
{% macro ikm_from_nrr_bobot_0111(prefix='nrr_u') -%}
    (
        {%- for i in range(1, 10) %}{{ prefix }}{{ i }}{% if not loop.last %} + {% endif %}{% endfor -%}
    ) * 0.111 * 25
{%- endmacro %}

{#- Krejcie-Morgan minimum sample for a population (SQL expression): the first row of the seed with
    populasi >= N (the largest when N is beyond the table); null when the population is 0 or unknown -#}
{% macro sampel_minimum_krejcie_morgan(populasi) -%}
    case
        when coalesce({{ populasi }}, 0) = 0 then null
        else coalesce(
            (
                select km.sampel_minimum
                from {{ ref('krejcie_morgan') }} as km
                where km.populasi >= {{ populasi }}
                order by km.populasi
                limit 1
            ),
            (select max(km.sampel_minimum) from {{ ref('krejcie_morgan') }} as km)
        )
    end
{%- endmacro %}

{#- PermenPAN-RB 14/2017: mutu is withheld (null) when the respondents are fewer than the minimum sample;
    the reason, in Indonesian, for the published column alasan_mutu_kosong -#}
{% macro mutu_ditahan(jumlah_responden, sampel_minimum) -%}
    ({{ sampel_minimum }} is not null and {{ jumlah_responden }} < {{ sampel_minimum }})
{%- endmacro %}

{% macro alasan_mutu_kosong(jumlah_responden, sampel_minimum, populasi) -%}
    case
        when {{ mutu_ditahan(jumlah_responden, sampel_minimum) }}
            then 'Responden ' || {{ jumlah_responden }} || ' kurang dari sampel minimum Krejcie-Morgan '
                || {{ sampel_minimum }} || ' untuk populasi ' || {{ populasi }}
                || ' permohonan (PermenPAN-RB 14/2017); IKM ditampilkan, mutu tidak ditetapkan'
    end
{%- endmacro %}

{#- mutu from IKM already rounded to 2 decimals -#}
{% macro mutu_ikm(ikm_rounded) -%}
    case
        when {{ ikm_rounded }} >= 88.31 then 'A'
        when {{ ikm_rounded }} >= 76.61 then 'B'
        when {{ ikm_rounded }} >= 65.00 then 'C'
        when {{ ikm_rounded }} >= 25.00 then 'D'
    end
{%- endmacro %}

{% macro kinerja_ikm(ikm_rounded) -%}
    case
        when {{ ikm_rounded }} >= 88.31 then 'Sangat Baik'
        when {{ ikm_rounded }} >= 76.61 then 'Baik'
        when {{ ikm_rounded }} >= 65.00 then 'Kurang Baik'
        when {{ ikm_rounded }} >= 25.00 then 'Tidak Baik'
    end
{%- endmacro %}
