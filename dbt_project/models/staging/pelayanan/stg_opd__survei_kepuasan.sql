{#- SKM responses (PermenPAN-RB 14/2017); scores 1-4, out-of-range rows are quarantined upstream. -#}
with

source as (
    select * from {{ source('opd', 'survei_kepuasan') }}
    where {{ only_current_files() }}
),

renamed as (
    select
        _file_id,
        _sheet,
        _row_number,
        _kode_pemda,
        upper(btrim(_opd_folder)) as _opd_folder,
        _period,
        tanggal,
        {{ clean_kode_opd('kode_opd') }} as kode_opd_dilaporkan,
        upper(btrim(kode_layanan)) as kode_layanan,
        u1::integer as u1,
        u2::integer as u2,
        u3::integer as u3,
        u4::integer as u4,
        u5::integer as u5,
        u6::integer as u6,
        u7::integer as u7,
        u8::integer as u8,
        u9::integer as u9,
        {{ clean_jenis_kelamin('jenis_kelamin') }} as jenis_kelamin,
        {{ clean_pendidikan('pendidikan') }} as pendidikan,
        usia::integer as usia
    from source
),

final as (
    select
        *,
        extract(year from tanggal)::integer as tahun,
        case when extract(month from tanggal) <= 6 then 1 else 2 end as semester
    from renamed
)

select * from final
