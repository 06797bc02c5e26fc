{#- Roster with OPD resolved, one row per employee per month per pemda. A NIP reported twice
    in the same pemda and periode (e.g. by two OPD during a transfer) is kept once: the row of
    the latest file wins. Rows without NIP (NON_ASN) are all kept, keyed by file and row.
    Incremental (a table: the snapshot's source and fct_pegawai_bulanan read it): only the pemda x
    periode partitions whose files changed are rebuilt (macros/incremental.sql); a NIP is
    deduplicated within its pemda and periode, so within one partition. -#}
with

pegawai as (
    select * from {{ ref('stg_opd__pegawai') }}
    {%- if is_incremental() %}
    where {{ partisi() }} in ({{ changed_partitions(ref('stg_opd__pegawai')) }})
    {%- endif %}
),

resolved as (
    {{ resolve_opd('pegawai') }}
),

ranked as (
    select
        *,
        case
            when nip is not null then row_number() over (
                partition by _kode_pemda, periode, nip
                order by _file_id desc, _row_number desc
            )
            else 1
        end as urutan_duplikat
    from resolved
),

deduplicated as (
    select * from ranked where urutan_duplikat = 1
),

final as (
    select
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        opd_dari_folder,
        periode,
        tanggal_periode,
        extract(year from tanggal_periode)::integer as tahun,
        extract(month from tanggal_periode)::integer as bulan,
        coalesce(nip, 'TANPA_NIP:' || _file_id || ':' || coalesce(_sheet, '') || ':' || _row_number) as pegawai_key,
        nip,
        jenis_kelamin,
        status_kepegawaian,
        status_kepegawaian in ('PNS', 'CPNS', 'PPPK', 'PPPK_PARUH_WAKTU') as is_asn,
        case when status_kepegawaian = 'NON_ASN' then jenis_non_asn end as jenis_non_asn,
        golongan,
        {{ golongan_kelompok('status_kepegawaian', 'golongan') }} as golongan_kelompok,
        jenis_jabatan,
        eselon,
        nama_jabatan,
        pendidikan,
        _file_id,
        _row_number,
        {{ partisi() }} as _partisi
    from deduplicated
)

select * from final
