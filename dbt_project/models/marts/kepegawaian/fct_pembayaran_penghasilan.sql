{#- One row per pay run line (OPD x periode x jenis penghasilan), OPD resolved, judged for
    timeliness: on time = tanggal_bayar <= tanggal_jatuh_tempo. Unpaid past due = not paid and
    the due date is before tanggal_acuan: var tanggal_acuan when set, else the data's cut-off, the
    latest payment date in the pemda's pay runs (the latest due date when none is paid). Never the
    build date: unchanged inputs give the same figures on any day (no new published version). -#}
with

pembayaran as (
    select * from {{ ref('stg_opd__pembayaran_penghasilan') }}
),

resolved as (
    {{ resolve_opd('pembayaran') }}
),

batas_data as (
    select
        _kode_pemda,
        coalesce(max(tanggal_bayar), max(tanggal_jatuh_tempo)) as tanggal_batas_data
    from resolved
    group by _kode_pemda
),

acuan as (
    select
        resolved.*,
        {% if var('tanggal_acuan') -%}
        cast('{{ var("tanggal_acuan") }}' as date) as tanggal_acuan
        {%- else -%}
        batas_data.tanggal_batas_data as tanggal_acuan
        {%- endif %}
    from resolved
    inner join batas_data
        on batas_data._kode_pemda = resolved._kode_pemda
),

final as (
    select
        _file_id || '|' || coalesce(_sheet, '') || '|' || _row_number as pembayaran_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        periode,
        extract(year from tanggal_periode)::integer as tahun,
        extract(month from tanggal_periode)::integer as bulan,
        jenis_penghasilan,
        jumlah_penerima,
        nilai_bruto,
        tanggal_jatuh_tempo,
        tanggal_bayar,
        tanggal_acuan,
        tanggal_bayar is not null as is_dibayar,
        tanggal_bayar is not null and tanggal_bayar <= tanggal_jatuh_tempo as is_tepat_waktu,
        case
            when tanggal_bayar is not null then greatest(tanggal_bayar - tanggal_jatuh_tempo, 0)
        end as hari_terlambat,
        (tanggal_bayar is null and tanggal_jatuh_tempo < tanggal_acuan) as is_belum_dibayar_lewat_jatuh_tempo,
        _file_id
    from acuan
)

select * from final
