{#- Open Data Jabar leading columns, from dim_pemda aliased as `pemda` -#}
{% macro wilayah_columns(alias='pemda') -%}
    {{ alias }}.kode_provinsi,
    {{ alias }}.nama_provinsi,
    {{ alias }}.kode_kabupaten_kota,
    {{ alias }}.nama_kabupaten_kota
{%- endmacro %}

{#- Primary suppression of person counts (spec section 6): counts 1..(ambang_supresi - 1) -> null;
    zeros stay (a complete grid publishes them). The threshold is declared once, var ambang_supresi in
    dbt_project.yml; the publisher reads the same var and adds complementary suppression
    (satudata/publish/disclosure.py). -#}
{% macro suppress_small(count_column, threshold=none) -%}
    case
        when {{ is_suppressed(count_column, threshold) }}
            then null
        else {{ count_column }}
    end
{%- endmacro %}

{% macro is_suppressed(count_column, threshold=none) -%}
    ({{ count_column }} > 0 and {{ count_column }} < {{ threshold if threshold is not none else var('ambang_supresi') }})
{%- endmacro %}

{#- Dominance rule of a distribution: true when one category holds at least var ambang_dominasi_persen %
    of the people of its group (`partition_by`), so publishing it would tell each person's category. -#}
{% macro is_dominated(count_column, partition_by) -%}
    (
        sum({{ count_column }}) over (partition by {{ partition_by }}) > 0
        and max({{ count_column }}) over (partition by {{ partition_by }})
            >= {{ var('ambang_dominasi_persen') }} / 100.0 * sum({{ count_column }}) over (partition by {{ partition_by }})
    )
{%- endmacro %}

{#- percentage a / b x 100, null when b is 0 or null, rounded to `digits` -#}
{% macro persen(numerator, denominator, digits=2) -%}
    round(100.0 * {{ numerator }} / nullif({{ denominator }}, 0), {{ digits }})
{%- endmacro %}

{#- The published shape of a person-based count (docs/disclosure.md): `counted` has kode_pemda, kode_opd,
    nama_opd, the `waktu` columns, the `unit` columns, the `kategori` column and jumlah. The unit (an OPD x
    `unit` x period) is the finest total a reader may know; a unit of fewer than var ambang_rincian people
    is folded into one row group per pemda, kode_opd LAINNYA (its detail would tell about a few known
    people whatever is hidden); a folded group that is still under ambang_rincian is not broken down
    (kategori SEMUA). Broken-down units get a complete grid: every category of the pemda-period, 0 when
    nobody has it, so a hidden cell may be 0. Returns kode_pemda, kode_opd, nama_opd, waktu, unit, kategori,
    jumlah. -#}
{% macro rincian_terbit(counted, waktu, unit, kategori) -%}
    {%- set w = waktu | join(', ') -%}
    {%- set u = unit | join(', ') ~ ', ' if unit else '' -%}
    {%- set rincian = var('ambang_rincian') -%}
    with

    per_unit as (
        select
            *,
            sum(jumlah) over (partition by kode_pemda, {{ u }}{{ w }}, kode_opd) as jumlah_unit
        from {{ counted }}
    ),

    placed as (
        select
            kode_pemda,
            {{ w }},
            {{ u }}
            {{ kategori }},
            case when jumlah_unit >= {{ rincian }} then kode_opd else 'LAINNYA' end as kode_opd,
            case
                when jumlah_unit >= {{ rincian }} then nama_opd
                else 'PERANGKAT DAERAH LAINNYA (DIGABUNG)'
            end as nama_opd,
            jumlah
        from per_unit
    ),

    per_group as (
        select
            *,
            sum(jumlah) over (partition by kode_pemda, {{ u }}{{ w }}, kode_opd) as jumlah_kelompok
        from placed
    ),

    grouped as (
        select
            kode_pemda,
            {{ w }},
            {{ u }}
            kode_opd,
            nama_opd,
            case when jumlah_kelompok >= {{ rincian }} then {{ kategori }} else 'SEMUA' end as {{ kategori }},
            sum(jumlah) as jumlah
        from per_group
        group by
            kode_pemda, {{ u }}{{ w }}, kode_opd, nama_opd,
            case when jumlah_kelompok >= {{ rincian }} then {{ kategori }} else 'SEMUA' end
    ),

    units as (
        select distinct
            kode_pemda,
            {{ w }},
            {{ u }}
            kode_opd,
            nama_opd,
            {{ kategori }} = 'SEMUA' as utuh
        from grouped
    ),

    categories as (
        select distinct
            kode_pemda,
            {{ w }},
            {{ kategori }}
        from {{ counted }}
    )

    select
        units.kode_pemda,
        {% for c in waktu %}units.{{ c }}, {% endfor %}
        {% for c in unit %}units.{{ c }}, {% endfor %}
        units.kode_opd,
        units.nama_opd,
        case when units.utuh then 'SEMUA' else categories.{{ kategori }} end as {{ kategori }},
        coalesce(max(grouped.jumlah), 0)::bigint as jumlah
    from units
    inner join categories
        on categories.kode_pemda = units.kode_pemda
        {% for c in waktu %}and categories.{{ c }} = units.{{ c }}
        {% endfor %}
    left join grouped
        on grouped.kode_pemda = units.kode_pemda
        {% for c in waktu + unit %}and grouped.{{ c }} = units.{{ c }}
        {% endfor %}and grouped.kode_opd = units.kode_opd
        and grouped.{{ kategori }} = case when units.utuh then 'SEMUA' else categories.{{ kategori }} end
    group by 1, {% for c in waktu + unit %}{{ loop.index + 1 }}, {% endfor %}units.kode_opd, units.nama_opd,
        case when units.utuh then 'SEMUA' else categories.{{ kategori }} end
{%- endmacro %}
