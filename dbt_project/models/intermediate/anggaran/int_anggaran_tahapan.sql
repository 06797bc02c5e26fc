{#- The tahapan (versi) of each pemda's budget year and the date each took effect: one row per pemda
    x tahun x versi. The date is the earliest tanggal_berlaku its lines state; when none states one,
    the default of var tanggal_berlaku_bawaan (MURNI 1 January, PERGESERAN_n 1 July, PERUBAHAN
    1 October). peringkat orders the tahapan by date, then MURNI < PERGESERAN_n < PERUBAHAN. -#}
with

anggaran as (
    select * from {{ ref('stg_opd__anggaran') }}
    where urutan_versi is not null
),

{%- set bawaan = var('tanggal_berlaku_bawaan') %}

per_versi as (
    select
        _kode_pemda as kode_pemda,
        tahun,
        versi,
        urutan_versi,
        min(tanggal_berlaku) as tanggal_berlaku_dilaporkan
    from anggaran
    group by _kode_pemda, tahun, versi, urutan_versi
),

dated as (
    select
        *,
        coalesce(
            tanggal_berlaku_dilaporkan,
            to_date(tahun || '-' || case
                when versi = 'MURNI' then '{{ bawaan["MURNI"] }}'
                when versi = 'PERUBAHAN' then '{{ bawaan["PERUBAHAN"] }}'
                else '{{ bawaan["PERGESERAN"] }}'
            end, 'YYYY-MM-DD')
        ) as tanggal_berlaku,
        tanggal_berlaku_dilaporkan is null as tanggal_berlaku_bawaan
    from per_versi
),

final as (
    select
        *,
        row_number() over (
            partition by kode_pemda, tahun order by tanggal_berlaku, urutan_versi
        ) as peringkat
    from dated
)

select * from final
