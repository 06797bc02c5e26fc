-- Sources declared in the registry (satudata/extract/registry.py): what each HTTP / SQL source gave in
-- each run, and how far each incremental SQL source has been read. Idempotent: runs at every start.

-- the updated_at watermark of an incremental SQL source; advanced only once the rows extracted up to it
-- are landed and loaded (satudata/extract/sources.py: after_load), so a failed run leaves it unchanged
create table if not exists audit.source_watermark (
    source_id   text primary key,
    watermark   timestamptz not null,
    updated_at  timestamptz not null default now()
);

-- one row per run x source: extracted -> loaded | loaded_with_warnings | unchanged | rejected,
-- or no_changes (nothing new since the watermark), or failed (with the reason; nothing landed)
create table if not exists audit.source_run (
    run_id          text not null,
    source_id       text not null,
    kind            text not null,
    kode_pemda      text not null,
    opd             text not null,
    dataset         text not null,
    status          text not null,
    attempts        integer not null default 1,
    rows_extracted  bigint,
    relpath         text,            -- the extracted CSV, relative to $SATUDATA_HOME/extracted
    file_id         bigint references audit.source_file (file_id),
    watermark_from  timestamptz,     -- SQL sources: the watermark the extract started from
    watermark_to    timestamptz,     -- ... and the one it advances to once loaded
    reason          text,
    started_at      timestamptz not null default now(),
    finished_at     timestamptz,
    primary key (run_id, source_id)
);
create index if not exists source_run_relpath on audit.source_run (relpath);

-- where each canonical column sat in the submitted file (letter, header as written), and the extra and
-- dropped columns: the submitter feedback (satudata/report/feedback.py) speaks in these coordinates
alter table audit.source_file add column if not exists layout jsonb;
create index if not exists source_file_path on audit.source_file (path);
