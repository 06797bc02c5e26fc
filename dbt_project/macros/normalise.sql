{#- Shared casts and normalisations used by staging. Values in raw are already parsed by the
    loader (numbers numeric, dates date, NIP digits only, codes trimmed); these macros make the
    codes canonical so the same thing is spelled one way downstream. -#}

{#- trimmed text, empty -> null -#}
{% macro clean_text(column) -%}
    nullif(btrim({{ column }}), '')
{%- endmacro %}

{#- enumerated code: upper case, runs of spaces/hyphens -> one underscore (`Sangat Baik` -> SANGAT_BAIK) -#}
{% macro clean_code(column) -%}
    nullif(regexp_replace(upper(btrim({{ column }})), '[\s-]+', '_', 'g'), '')
{%- endmacro %}

{#- jenis penghasilan: the seed kode_sinonim (`Gaji ke-13` -> GAJI_13, `Tunjangan Hari Raya` -> THR), else
    clean_code (satudata/rules/codes.py clean_jenis_penghasilan) -#}
{% macro clean_jenis_penghasilan(column) -%}
    coalesce({{ kode_sinonim('jenis_penghasilan', column) }}, {{ clean_code(column) }})
{%- endmacro %}

{#- dotted code (rekening, sub kegiatan, SIPD unit): no spaces, trailing dot removed -#}
{% macro clean_dotted_code(column) -%}
    nullif(regexp_replace(regexp_replace({{ column }}, '\s+', '', 'g'), '\.+$', ''), '')
{%- endmacro %}

{#- kode_opd as submitted: a SIPD unit code (kept as is) or a singkatan (upper case) -#}
{% macro clean_kode_opd(column) -%}
    nullif(upper(regexp_replace(btrim({{ column }}), '\s+', '', 'g')), '')
{%- endmacro %}

{#- NIP: digits only (the loader already strips spaces; this is a guard) -#}
{% macro clean_nip(column) -%}
    nullif(regexp_replace({{ column }}, '\D', '', 'g'), '')
{%- endmacro %}

{#- periode `YYYY-MM` (also accepts `YYYY-M` and `YYYY/MM`); anything else -> null -#}
{% macro clean_periode(column) -%}
    case
        when btrim({{ column }}) ~ '^\d{4}[-/](0?[1-9]|1[0-2])$'
            then left(btrim({{ column }}), 4) || '-'
                || lpad(split_part(translate(btrim({{ column }}), '/', '-'), '-', 2), 2, '0')
    end
{%- endmacro %}

{#- first day of a `YYYY-MM` periode (already cleaned) -#}
{% macro periode_to_date(column) -%}
    case when {{ column }} is not null then to_date({{ column }} || '-01', 'YYYY-MM-DD') end
{%- endmacro %}

{#- Code lists with many real spellings live once, in the seed kode_sinonim (daftar, nilai_sumber, kode),
    which the Python row checks read too (satudata/rules/codes.py). A value is looked up by its key:
    upper case, everything but A-Z and 0-9 removed (`S-1/Sarjana` -> S1SARJANA, `III/a` -> IIIA). -#}
{% macro kunci_kode(column) -%}
    regexp_replace(upper({{ column }}), '[^0-9A-Z]', '', 'g')
{%- endmacro %}

{#- the seed as a lookup table (daftar, kunci, kode): one row per key, indexed (stg_ref__kode_sinonim) -#}
{% macro kode_sinonim_lookup() -%}
    select daftar, kunci, kode from {{ ref('stg_ref__kode_sinonim') }}
{%- endmacro %}

{#- the canonical code of a value in one list of kode_sinonim, as an expression (null when not listed):
    an index lookup per row. stg_opd__pegawai joins `kode_sinonim_lookup()` instead. -#}
{% macro kode_sinonim(daftar, column) -%}
    (select k.kode from {{ ref('stg_ref__kode_sinonim') }} as k
     where k.daftar = '{{ daftar }}' and k.kunci = {{ kunci_kode(column) }})
{%- endmacro %}

{#- jenis kelamin -> L / P (L/P, M/F, Pria/Wanita, Laki-laki/Perempuan, 1/2) -#}
{% macro clean_jenis_kelamin(column) -%}
    {{ kode_sinonim('jenis_kelamin', column) }}
{%- endmacro %}

{#- eselon `II.a` ... `IV.b` (accepts IIa, II A, ii.a, II/a); empty or `-`/NON -> null -#}
{% macro clean_eselon(column) -%}
    case
        when upper(regexp_replace({{ column }}, '[\s./-]', '', 'g')) ~ '^(I|II|III|IV|V)[AB]$'
            then regexp_replace(upper(regexp_replace({{ column }}, '[\s./-]', '', 'g')), '^([IV]+)([AB])$', '\1')
                || '.' || lower(right(upper(regexp_replace({{ column }}, '[\s./-]', '', 'g')), 1))
    end
{%- endmacro %}

{#- level of an eselon: II, III, IV (V kept for completeness) -#}
{% macro eselon_level(column) -%}
    split_part({{ column }}, '.', 1)
{%- endmacro %}

{#- golongan: PNS `III/a` (III-a, 3/a, `Penata Muda (III/a)` ...); PPPK roman I..XVII -#}
{% macro clean_golongan(column) -%}
    {{ kode_sinonim('golongan', column) }}
{%- endmacro %}

{#- pendidikan -> SD, SMP, SMA, D1..D4, S1..S3 (BKN `S-1/Sarjana`, `Diploma III/Sarjana Muda`, SLTA ...) -#}
{% macro clean_pendidikan(column) -%}
    {{ kode_sinonim('pendidikan', column) }}
{%- endmacro %}

{#- tagging list -> canonical `A,B` (upper, separators , ; | or /, sorted, distinct); none -> null -#}
{% macro clean_tagging(column) -%}
    (
        select nullif(string_agg(distinct tag, ',' order by tag), '')
        from (
            select regexp_replace(upper(btrim(t)), '[\s-]+', '_', 'g') as tag
            from regexp_split_to_table(coalesce({{ column }}, ''), '[,;|/]') as t
        ) as tags
        where tag <> '' and tag <> '_'
    )
{%- endmacro %}

{#- versi (tahapan APBD) -> MURNI, PERGESERAN_1..9, PERUBAHAN: the seed kode_sinonim (Penetapan / APBD murni /
    DPA -> MURNI; Pergeseran 1 / Pergeseran ke-2 -> PERGESERAN_n; DPPA / APBD-P / Perubahan -> PERUBAHAN);
    another label stays cleaned. Mirrors satudata.rules.codes.clean_versi. -#}
{% macro clean_versi(column) -%}
    coalesce({{ kode_sinonim('versi', column) }}, {{ clean_code(column) }})
{%- endmacro %}

{#- jenis SP2D -> LS, GU, GU_NIHIL, TU_NIHIL, UP, TU, PENGEMBALIAN: from the column (seed kode_sinonim:
    `GU Nihil`, `Pengembalian Belanja`, `CP` contra pos ...), or when it is empty from the SP2D number
    (`.../LS/...`, `/GU/`, `/UP/`, `/TU/`, `/CP/`). Mirrors satudata.rules.codes.clean_jenis_sp2d. -#}
{% macro clean_jenis_sp2d(column, nomor_sp2d) -%}
    case
        when btrim({{ column }}) <> ''  -- clean_code(column) is not null, without its regexps
            then coalesce({{ kode_sinonim('jenis_sp2d', column) }}, {{ clean_code(column) }})
        when strpos(upper({{ nomor_sp2d }}), '/CP/') > 0 then 'PENGEMBALIAN'
        else substring(upper({{ nomor_sp2d }}) from '/(LS|GU|UP|TU)/')
    end
{%- endmacro %}

{#- jenis SP2D -> how it counts: 1 realisasi (LS, GU, GU/TU NIHIL; and an SP2D whose jenis neither
    the column nor the number tells, as before jenis existed: BEL-007 warns), -1 a refund
    (PENGEMBALIAN), 0 otherwise (UP, TU: uang muka, beside realisasi). `jenis_sp2d` is written once:
    PostgreSQL inlines the staging column's whole expression (clean_jenis_sp2d, a lookup per row) at each
    place it is named; this form evaluates it once (a full read of stg_opd__realisasi_belanja, which the
    checks read several times, took 5.4 s at provinsi size with it named three times, 2.4 s now) -#}
{% macro realisasi_sign(jenis_sp2d) -%}
    case coalesce({{ jenis_sp2d }}, 'LS')
        when 'LS' then 1 when 'GU' then 1 when 'GU_NIHIL' then 1 when 'TU_NIHIL' then 1
        when 'PENGEMBALIAN' then -1
        else 0
    end
{%- endmacro %}

{#- what an SP2D line adds to uang muka: nilai of UP and TU (advances to the bendahara), else 0 -#}
{% macro nilai_uang_muka(jenis_sp2d, nilai) -%}
    case when {{ jenis_sp2d }} in ('UP', 'TU') then {{ nilai }} else 0 end
{%- endmacro %}

{#- order of a tahapan (already cleaned by clean_versi) within a year: MURNI 0, PERGESERAN_n n,
    PERUBAHAN 10; null for a versi outside the code list -#}
{% macro urutan_versi(versi) -%}
    case
        when {{ versi }} = 'MURNI' then 0
        when {{ versi }} = 'PERUBAHAN' then 10
        when {{ versi }} ~ '^PERGESERAN_[1-9]$' then right({{ versi }}, 1)::integer
    end
{%- endmacro %}
