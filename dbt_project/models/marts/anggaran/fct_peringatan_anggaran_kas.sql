{#- Early warning of anggaran kas: cumulative realisasi against the cumulative cash plan in force,
    per pemda x OPD x tahun x month x program_prioritas (SEMUA = all belanja of the OPD, or one
    priority tag: realisasi and plan of the lines tagged in the latest tahapan, int_anggaran_tagging;
    a line with two tags counts under both, so tags are not summed). Months 1 .. the pemda's last
    month with any SP2D. status: MERAH below var ambang_kas_merah_persen of the plan, KUNING below
    ambang_kas_kuning_persen, else HIJAU; TANPA_RENCANA when the plan to date is 0. Realisasi as in
    serapan: LS + GU less refunds (UP/TU are advances). OPDs without an anggaran kas are left out. -#}
with

kas as (
    select * from {{ ref('int_anggaran_kas_berlaku') }}
),

tagging as (
    select * from {{ ref('int_anggaran_tagging') }}
),

realisasi as (
    select * from {{ ref('fct_realisasi_belanja') }}
    where opd_key is not null
),

bulan as (
    {{ month_spine() }}
),

rencana as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        bulan,
        'SEMUA' as program_prioritas,
        min(versi_kas) as versi_kas,
        sum(rencana_kumulatif) as rencana_kumulatif
    from kas
    group by kode_pemda, kode_opd, opd_key, tahun, bulan
    union all
    select
        kas.kode_pemda,
        kas.kode_opd,
        kas.opd_key,
        kas.tahun,
        kas.bulan,
        tagging.tagging as program_prioritas,
        min(kas.versi_kas) as versi_kas,
        sum(kas.rencana_kumulatif) as rencana_kumulatif
    from kas
    inner join tagging
        on tagging.kode_pemda = kas.kode_pemda
        and tagging.opd_key = kas.opd_key
        and tagging.tahun = kas.tahun
        and tagging.kode_sub_kegiatan = kas.kode_sub_kegiatan
        and tagging.kode_rekening = kas.kode_rekening
    group by kas.kode_pemda, kas.kode_opd, kas.opd_key, kas.tahun, kas.bulan, tagging.tagging
),

realisasi_bulan as (
    select
        kode_pemda,
        opd_key,
        tahun,
        bulan,
        'SEMUA' as program_prioritas,
        sum(nilai_realisasi) as realisasi_bulan
    from realisasi
    group by kode_pemda, opd_key, tahun, bulan
    union all
    select
        realisasi.kode_pemda,
        realisasi.opd_key,
        realisasi.tahun,
        realisasi.bulan,
        tagging.tagging as program_prioritas,
        sum(realisasi.nilai_realisasi) as realisasi_bulan
    from realisasi
    inner join tagging
        on tagging.kode_pemda = realisasi.kode_pemda
        and tagging.opd_key = realisasi.opd_key
        and tagging.tahun = realisasi.tahun
        and tagging.kode_sub_kegiatan = realisasi.kode_sub_kegiatan
        and tagging.kode_rekening = realisasi.kode_rekening
    group by realisasi.kode_pemda, realisasi.opd_key, realisasi.tahun, realisasi.bulan, tagging.tagging
),

bulan_terakhir as (
    select
        kode_pemda,
        tahun,
        max(bulan) as bulan_terakhir
    from realisasi
    group by kode_pemda, tahun
),

kombinasi as (
    select distinct kode_pemda, kode_opd, opd_key, tahun, program_prioritas
    from rencana
),

kerangka as (
    select
        kombinasi.*,
        bulan.bulan
    from kombinasi
    inner join bulan_terakhir
        on bulan_terakhir.kode_pemda = kombinasi.kode_pemda
        and bulan_terakhir.tahun = kombinasi.tahun
    inner join bulan
        on bulan.bulan <= bulan_terakhir.bulan_terakhir
),

joined as (
    select
        kerangka.*,
        rencana.versi_kas,
        coalesce(rencana.rencana_kumulatif, 0) as rencana_kumulatif,
        coalesce(realisasi_bulan.realisasi_bulan, 0) as realisasi_bulan
    from kerangka
    left join rencana
        on rencana.kode_pemda = kerangka.kode_pemda
        and rencana.opd_key = kerangka.opd_key
        and rencana.tahun = kerangka.tahun
        and rencana.program_prioritas = kerangka.program_prioritas
        and rencana.bulan = kerangka.bulan
    left join realisasi_bulan
        on realisasi_bulan.kode_pemda = kerangka.kode_pemda
        and realisasi_bulan.opd_key = kerangka.opd_key
        and realisasi_bulan.tahun = kerangka.tahun
        and realisasi_bulan.program_prioritas = kerangka.program_prioritas
        and realisasi_bulan.bulan = kerangka.bulan
),

cumulated as (
    select
        *,
        sum(realisasi_bulan) over (
            partition by kode_pemda, opd_key, tahun, program_prioritas
            order by bulan
            rows between unbounded preceding and current row
        ) as realisasi_kumulatif
    from joined
),

final as (
    select
        kode_pemda,
        kode_opd,
        opd_key,
        tahun,
        bulan,
        program_prioritas,
        versi_kas,
        rencana_kumulatif,
        realisasi_kumulatif,
        {{ persen('realisasi_kumulatif', 'rencana_kumulatif') }} as persentase_terhadap_rencana,
        case
            when rencana_kumulatif = 0 then 'TANPA_RENCANA'
            when realisasi_kumulatif < {{ var('ambang_kas_merah_persen') }} / 100.0 * rencana_kumulatif then 'MERAH'
            when realisasi_kumulatif < {{ var('ambang_kas_kuning_persen') }} / 100.0 * rencana_kumulatif then 'KUNING'
            else 'HIJAU'
        end as status_peringatan
    from cumulated
)

select * from final
