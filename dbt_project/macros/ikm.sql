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
