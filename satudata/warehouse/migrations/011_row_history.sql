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
