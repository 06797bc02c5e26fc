{#- One row per SKM response, OPD resolved. No respondent identity is ever landed.
    Incremental: only the pemda x period partitions whose files changed are rebuilt (macros/incremental.sql). -#}
with

survei as (
    select * from {{ ref('stg_opd__survei_kepuasan') }}
    {%- if is_incremental() %}
    where {{ partisi() }} in ({{ changed_partitions(ref('stg_opd__survei_kepuasan')) }})
    {%- endif %}
),

resolved as (
    {{ resolve_opd('survei') }}
),

final as (
    select
        _file_id || '|' || coalesce(_sheet, '') || '|' || _row_number as respons_key,
        _kode_pemda as kode_pemda,
        kode_opd,
        opd_key,
        {{ layanan_key('_kode_pemda', 'kode_opd', 'kode_layanan') }} as layanan_key,
        kode_layanan,
        tanggal,
        tahun,
        semester,
        u1, u2, u3, u4, u5, u6, u7, u8, u9,
        (u1 + u2 + u3 + u4 + u5 + u6 + u7 + u8 + u9) as total_skor,
        jenis_kelamin,
        pendidikan,
        usia,
        _file_id,
        {{ partisi() }} as _partisi
    from resolved
)

select * from final
