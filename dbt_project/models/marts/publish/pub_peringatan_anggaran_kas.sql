{#- Early warning: cumulative realisasi against the cumulative anggaran kas per pemda x OPD x
    program_prioritas (SEMUA or a priority tag) x month, with the band (fct_peringatan_anggaran_kas). -#}
with

peringatan as (
    select * from {{ ref('fct_peringatan_anggaran_kas') }}
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
        peringatan.program_prioritas,
        peringatan.bulan,
        peringatan.persentase_terhadap_rencana,
        peringatan.status_peringatan,
        peringatan.rencana_kumulatif,
        peringatan.realisasi_kumulatif,
        peringatan.versi_kas,
        {{ var('ambang_kas_kuning_persen') }} as ambang_kuning_persen,
        {{ var('ambang_kas_merah_persen') }} as ambang_merah_persen,
        'PERSEN' as satuan,
        peringatan.tahun
    from peringatan
    inner join opd
        on opd.opd_key = peringatan.opd_key
    inner join pemda
        on pemda.kode_pemda = peringatan.kode_pemda
)

select * from final
