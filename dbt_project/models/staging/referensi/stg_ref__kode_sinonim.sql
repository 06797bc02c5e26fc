{#- The seed kode_sinonim as a lookup table: one row per list and key (spellings with the same key,
    `Laki-laki` / `laki laki`, are one row), indexed on (daftar, kunci) (dbt_project.yml). Staging
    joins it (stg_opd__pegawai) or looks a value up in it (macro kode_sinonim). -#}
with

seed as (
    select * from {{ ref('kode_sinonim') }}
),

final as (
    select distinct
        daftar,
        {{ kunci_kode('nilai_sumber') }} as kunci,
        kode
    from seed
)

select * from final
