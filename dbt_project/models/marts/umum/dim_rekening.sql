with

rekening as (
    select * from {{ ref('rekening') }}
),

with_parents as (
    select
        kode_rekening,
        uraian,
        level,
        nullif(kode_induk, '') as kode_induk,
        {{ rekening_prefix('kode_rekening', 1) }} as kode_akun,
        {{ rekening_prefix('kode_rekening', 2) }} as kode_kelompok,
        {{ rekening_prefix('kode_rekening', 3) }} as kode_jenis
    from rekening
),

final as (
    select
        with_parents.*,
        akun.uraian as nama_akun,
        kelompok.uraian as nama_kelompok,
        jenis.uraian as nama_jenis
    from with_parents
    left join rekening as akun
        on akun.kode_rekening = with_parents.kode_akun
    left join rekening as kelompok
        on kelompok.kode_rekening = with_parents.kode_kelompok
    left join rekening as jenis
        on jenis.kode_rekening = with_parents.kode_jenis
)

select * from final
