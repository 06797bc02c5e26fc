{#- OPD resolution, shared by every model that reads a dataset carrying kode_opd.
    `kode_opd_dilaporkan` (as submitted) may be a SIPD unit code, a singkatan, or null; the
    landing folder `_opd_folder` names the OPD too. Resolution order:
      1. kode_opd_dilaporkan matched to the pemda's SIPD code or singkatan (int_opd_alias);
      2. else the folder's singkatan.
    Adds `kode_opd` (SIPD code of the seed row, null if neither resolves), `opd_key` and
    `opd_dari_folder` (true when the folder decided). Usage, as the body of a CTE:
        resolved as ( {{ resolve_opd('renamed') }} ),
-#}
{% macro resolve_opd(from_cte, pemda_column='_kode_pemda', submitted_column='kode_opd_dilaporkan', folder_column='_opd_folder') -%}
    select
        {{ from_cte }}.*,
        coalesce(by_kode.kode_opd, by_folder.kode_opd) as kode_opd,
        {{ opd_key('coalesce(by_kode.kode_pemda, by_folder.kode_pemda)', 'coalesce(by_kode.kode_opd, by_folder.kode_opd)') }} as opd_key,
        (by_kode.kode_opd is null and by_folder.kode_opd is not null) as opd_dari_folder
    from {{ from_cte }}
    left join {{ ref('int_opd_alias') }} as by_kode
        on by_kode.kode_pemda = {{ from_cte }}.{{ pemda_column }}
        and by_kode.alias = upper({{ from_cte }}.{{ submitted_column }})
    left join {{ ref('int_opd_alias') }} as by_folder
        on by_folder.kode_pemda = {{ from_cte }}.{{ pemda_column }}
        and by_folder.alias = upper({{ from_cte }}.{{ folder_column }})
{%- endmacro %}
