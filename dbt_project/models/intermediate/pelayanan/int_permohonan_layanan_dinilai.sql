{#- Service requests with OPD resolved, judged against the service's SLA in working days.
    hari_kerja_penyelesaian = working days after tanggal_masuk up to and including
    tanggal_selesai (Saturdays, Sundays and hari_libur excluded); a request finished the day it
    came in takes 0 days. On time = SELESAI and hari_kerja_penyelesaian <= SLA. -#}
with

permohonan as (
    select * from {{ ref('stg_opd__permohonan_layanan') }}
),

kalender as (
    select * from {{ ref('int_tanggal_hari_kerja') }}
),

jenis_layanan as (
    select * from {{ ref('int_jenis_layanan_terkini') }}
),

resolved as (
    {{ resolve_opd('permohonan') }}
),

with_working_days as (
    select
        resolved.*,
        masuk.nomor_hari_kerja as nomor_hari_kerja_masuk,
        selesai.nomor_hari_kerja as nomor_hari_kerja_selesai,
        (resolved.tanggal_selesai - resolved.tanggal_masuk) as hari_kalender_penyelesaian,
        selesai.nomor_hari_kerja - masuk.nomor_hari_kerja as hari_kerja_penyelesaian
    from resolved
    left join kalender as masuk
        on masuk.tanggal = resolved.tanggal_masuk
    left join kalender as selesai
        on selesai.tanggal = resolved.tanggal_selesai
),

with_sla as (
    select
        with_working_days.*,
        jenis_layanan.waktu_penyelesaian_hari as sla_hari_kerja
    from with_working_days
    left join jenis_layanan
        on jenis_layanan.kode_pemda = with_working_days._kode_pemda
        and jenis_layanan.opd_key = with_working_days.opd_key
        and jenis_layanan.kode_layanan = with_working_days.kode_layanan
),

final as (
    select
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        {{ layanan_key('_kode_pemda', 'kode_opd', 'kode_layanan') }} as layanan_key,
        kode_layanan,
        nomor_permohonan,
        tanggal_masuk,
        tanggal_selesai,
        status,
        kanal,
        extract(year from tanggal_masuk)::integer as tahun,
        extract(month from tanggal_masuk)::integer as bulan,
        case when extract(month from tanggal_masuk) <= 6 then 1 else 2 end as semester,
        status = 'SELESAI' and tanggal_selesai is not null as is_selesai,
        hari_kalender_penyelesaian,
        hari_kerja_penyelesaian,
        sla_hari_kerja,
        case
            when status = 'SELESAI' and hari_kerja_penyelesaian is not null and sla_hari_kerja is not null
                then hari_kerja_penyelesaian <= sla_hari_kerja
        end as is_tepat_waktu,
        _file_id,
        _row_number,
        {{ partisi() }} as _partisi
    from with_sla
)

select * from final
