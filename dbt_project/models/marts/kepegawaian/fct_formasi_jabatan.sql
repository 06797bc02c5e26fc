{#- One row per position line (formasi) of a current file, OPD resolved, with vacancies. -#}
with

formasi as (
    select * from {{ ref('stg_opd__formasi_jabatan') }}
),

resolved as (
    {{ resolve_opd('formasi') }}
),

final as (
    select
        _file_id || '|' || coalesce(_sheet, '') || '|' || _row_number as formasi_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        periode,
        extract(year from tanggal_periode)::integer as tahun,
        nama_jabatan,
        jenis_jabatan,
        eselon,
        coalesce(nullif({{ eselon_level('eselon') }}, ''), 'NON_ESELON') as eselon_level,
        kebutuhan,
        terisi,
        greatest(coalesce(kebutuhan, 0) - coalesce(terisi, 0), 0) as lowongan,
        usulan_pengisian,
        _file_id
    from resolved
)

select * from final
