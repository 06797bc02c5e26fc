{#- Data-quality scorecard per pemda x OPD x submission month (int_kualitas_data_bulanan):
    valid % = rows loaded / rows read of the files received in the month (the measure);
    complete % and on time % = submissions due in the month (source registry) received / received
    by the deadline, out of those expected (null when nothing was expected). -#}
with

kualitas as (
    select * from {{ ref('int_kualitas_data_bulanan') }}
),

opd as (
    select * from {{ ref('dim_opd') }}
),

pemda as (
    select * from {{ ref('dim_pemda') }}
),

final as (
    select
        {{ wilayah_columns('pemda') }},
        opd.kode_opd,
        opd.nama_opd,
        kualitas.periode,
        substr(kualitas.periode, 6, 2)::integer as bulan,
        {{ persen('kualitas.baris_dimuat', 'kualitas.baris_dibaca - kualitas.baris_disisihkan') }} as persentase_valid,
        {{ persen('kualitas.jumlah_kiriman_diterima', 'kualitas.jumlah_kiriman_diharapkan') }} as persentase_lengkap,
        {{ persen('kualitas.jumlah_kiriman_tepat_waktu', 'kualitas.jumlah_kiriman_diharapkan') }}
            as persentase_tepat_waktu,
        kualitas.jumlah_file,
        kualitas.jumlah_file_ditolak,
        kualitas.jumlah_dataset,
        kualitas.baris_dibaca,
        kualitas.baris_dimuat,
        kualitas.baris_karantina,
        kualitas.baris_disisihkan,
        kualitas.jumlah_kiriman_diharapkan,
        kualitas.jumlah_kiriman_diterima,
        kualitas.jumlah_kiriman_tepat_waktu,
        kualitas.jumlah_kiriman_sebagian,
        'PERSEN' as satuan,
        substr(kualitas.periode, 1, 4)::integer as tahun
    from kualitas
    inner join opd
        on opd.opd_key = kualitas.opd_key
    inner join pemda
        on pemda.kode_pemda = kualitas.kode_pemda
)

select * from final
