{#- Golongan group for publication. PNS/CPNS: the roman part of `III/a`. PPPK (golongan I-XVII,
    Perpres 98/2020) by its PNS equivalent: I-IV -> I, V-VIII -> II, IX-XII -> III,
    XIII-XVII -> IV (V = II/a, IX = III/a, XIII = IV/a). NON_ASN -> TANPA_GOLONGAN; a
    missing or invalid golongan -> TIDAK_DIKETAHUI. -#}
{% macro golongan_kelompok(status_column, golongan_column) -%}
    coalesce(
        case
            when {{ status_column }} in ('PNS', 'CPNS') and {{ golongan_column }} like '%/%'
                then split_part({{ golongan_column }}, '/', 1)
            when {{ status_column }} in ('PPPK', 'PPPK_PARUH_WAKTU') then
                case
                    when {{ golongan_column }} in ('I', 'II', 'III', 'IV') then 'I'
                    when {{ golongan_column }} in ('V', 'VI', 'VII', 'VIII') then 'II'
                    when {{ golongan_column }} in ('IX', 'X', 'XI', 'XII') then 'III'
                    when {{ golongan_column }} in ('XIII', 'XIV', 'XV', 'XVI', 'XVII') then 'IV'
                end
            when {{ status_column }} = 'NON_ASN' then 'TANPA_GOLONGAN'
        end,
        'TIDAK_DIKETAHUI'
    )
{%- endmacro %}
