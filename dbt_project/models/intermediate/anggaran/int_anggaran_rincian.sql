{#- Budget lines that count in pagu: rincian lines only (full 6-level sub rincian objek code; parent
    and subtotal rows are checked by ANG-003, never summed), of a known tahapan, OPD resolved, with
    the tahapan's date and order within the pemda's year. One row per rincian line of a current file. -#}
with

anggaran as (
    select * from {{ ref('stg_opd__anggaran') }}
    -- a rincian carries the full 6-level sub rincian objek code; parent and subtotal rows (akun ..
    -- rincian objek) stay in staging for ANG-003 but are never summed
    where array_length(string_to_array(kode_rekening, '.'), 1) = 6
        and urutan_versi is not null
),

tahapan as (
    select * from {{ ref('int_anggaran_tahapan') }}
),

resolved as (
    {{ resolve_opd('anggaran') }}
),

final as (
    select
        resolved._kode_pemda as kode_pemda,
        resolved.kode_opd,
        resolved.opd_key,
        resolved.tahun,
        resolved.versi,
        tahapan.tanggal_berlaku,
        tahapan.peringkat,
        resolved.kode_sub_kegiatan,
        resolved.nama_sub_kegiatan,
        resolved.kode_rekening,
        resolved.uraian_rekening,
        resolved.kode_jenis_belanja,
        resolved.pagu,
        resolved.sumber_dana,
        resolved.tagging,
        resolved._file_id,
        resolved._row_number
    from resolved
    inner join tahapan
        on tahapan.kode_pemda = resolved._kode_pemda
        and tahapan.tahun = resolved.tahun
        and tahapan.versi = resolved.versi
)

select * from final
