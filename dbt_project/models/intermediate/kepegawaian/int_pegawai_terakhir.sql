{#- The latest roster row of each NIP (any pemda): the source of the position snapshot. -#}
with

pegawai_bulanan as (
    select * from {{ ref('int_pegawai_bulanan') }}
    where nip is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by nip
            order by tanggal_periode desc, _file_id desc, _row_number desc
        ) as urutan
    from pegawai_bulanan
),

final as (
    select
        nip,
        kode_pemda,
        kode_opd,
        opd_key,
        periode as periode_terakhir,
        status_kepegawaian,
        golongan,
        jenis_jabatan,
        eselon,
        nama_jabatan
    from ranked
    where urutan = 1
)

select * from final
