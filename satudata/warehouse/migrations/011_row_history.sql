-- 011: history, not deletion. When a corrected file replaces the periods of an earlier file of the same
-- pemda x OPD x dataset, the earlier rows leave raw.<dataset> (so dbt staging reads only current rows,
-- unchanged) and are kept here, whole, with the file that replaced them (satudata/load/loader.py,
-- _replace_earlier). A row's life: loaded (raw.<dataset>, its file in audit.source_file) -> superseded
-- (here, superseded_at). The raw rows current at any time are raw + history rows superseded after it
-- whose file had been loaded by then.
create table if not exists audit.source_row_history (
    dataset        text not null,
    file_id        bigint not null,          -- the file the row came from (audit.source_file)
    sheet          text,
    row_number     integer not null,         -- the row as the submitter saw it
    kode_pemda     text not null,
    opd            text not null,
    period         text,
    superseded_by  bigint not null,          -- the file whose rows replaced it
    superseded_at  timestamptz not null default now(),
    row_values     jsonb not null            -- every column of raw.<dataset> as it was loaded
);
create index if not exists source_row_history_file on audit.source_row_history (dataset, file_id);
create index if not exists source_row_history_slot on audit.source_row_history (dataset, kode_pemda, opd);

do $$
begin
    -- 005 gives the loader its audit.source_* tables at every start; on a first migration this table is
    -- made after 005 ran, so give it here too
    if exists (select 1 from pg_roles where rolname = 'satudata_loader') then
        grant select, insert on audit.source_row_history to satudata_loader;
    end if;
    if exists (select 1 from pg_roles where rolname = 'auditor') then
        grant select on audit.source_row_history to auditor;
    end if;
end
$$;

-- Provenance for the auditors (docs/provenance.md): where the rows of a pemda (and OPD) came from, for
-- the datasets whose rows are not about persons. The auditor role reads no raw table (raw.pegawai names
-- people); this function, run with its owner's rights, returns only these datasets' rows, current
-- (raw.<dataset>) and superseded (audit.source_row_history), each with its file and row as submitted.
create or replace function audit.row_origin(p_dataset text, p_kode_pemda text, p_opd text default null)
returns table (file_id bigint, path text, sha256 text, sheet text, row_number integer, period text,
               is_current boolean, superseded_by bigint, row_values jsonb)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp as $$
begin
    if p_dataset not in ('anggaran', 'realisasi_belanja', 'pendapatan', 'lra', 'formasi_jabatan',
                         'pembayaran_penghasilan', 'jenis_layanan', 'capaian_spm') then
        raise exception 'dataset % holds rows about persons or is unknown / dataset % berisi baris tentang orang '
                        'atau tidak dikenal', p_dataset, p_dataset;
    end if;
    if to_regclass(format('raw.%I', p_dataset)) is not null then
        return query execute format(
            'select r._file_id, sf.path, sf.sha256, r._sheet, r._row_number, r._period, true, null::bigint, '
            'to_jsonb(r) from raw.%I r join audit.source_file sf on sf.file_id = r._file_id '
            'where r._kode_pemda = $1 and ($2::text is null or r._opd_folder = $2)', p_dataset)
            using p_kode_pemda, p_opd;
    end if;
    return query
        select h.file_id, sf.path, sf.sha256, h.sheet, h.row_number, h.period, false, h.superseded_by, h.row_values
        from audit.source_row_history h join audit.source_file sf on sf.file_id = h.file_id
        where h.dataset = p_dataset and h.kode_pemda = p_kode_pemda and (p_opd is null or h.opd = p_opd);
end
$$;
revoke all on function audit.row_origin(text, text, text) from public;
do $$
begin
    if exists (select 1 from pg_roles where rolname = 'auditor') then
        grant execute on function audit.row_origin(text, text, text) to auditor;
    end if;
end
$$;
