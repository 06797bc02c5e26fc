-- 010: onboarding a pemda (satudata/reference.py). The OPD list of a pemda that is not a seed city, and
-- the unit crosswalk of any pemda, kept as versioned reference data: one list_version per file given
-- (`satudata pemda add`, or a drop at <landing>/<kode_pemda>/_referensi/opd.csv|unit.csv), its rows in
-- reference.opd / reference.unit. The current version of a pemda x kind has valid_to null; earlier
-- versions stay (history). dbt reads these tables as the source `reference` (stg_reference__*).

create schema if not exists reference;

create table if not exists reference.list_version (
    version_id     bigserial primary key,
    kode_pemda     text not null,
    kind           text not null check (kind in ('opd', 'unit')),
    sha256         text not null,
    file_name      text not null,
    row_count      integer not null,
    valid_from     timestamptz not null default now(),
    valid_to       timestamptz,
    superseded_by  bigint references reference.list_version (version_id),
    run_id         text,            -- the pipeline run that landed the file; null from the CLI
    recorded_by    text not null default session_user
);
create unique index if not exists list_version_current on reference.list_version (kode_pemda, kind)
    where valid_to is null;

create table if not exists reference.opd (
    version_id  bigint not null references reference.list_version (version_id),
    kode_pemda  text not null,
    row_number  integer not null,
    kode_opd    text not null,
    singkatan   text not null,
    nama_opd    text not null,
    primary key (version_id, kode_opd),
    unique (version_id, singkatan)
);

create table if not exists reference.unit (
    version_id  bigint not null references reference.list_version (version_id),
    kode_pemda  text not null,
    row_number  integer not null,
    nama_unit   text not null,
    kode_unit   text,
    jenis_unit  text not null,
    kode_opd    text not null,   -- SIPD code of the parent OPD
    primary key (version_id, row_number)
);

-- the loader onboards dropped files at landing; dbt and the auditors read
grant usage on schema reference to satudata_loader, satudata_transformer, auditor;
grant select, insert, update on all tables in schema reference to satudata_loader;
grant usage on all sequences in schema reference to satudata_loader;
grant select on all tables in schema reference to satudata_transformer, auditor;

-- lra: the depth of an account line (DJPK shows the hierarchy by leading spaces only: profile djpk_lra).
-- On a new warehouse raw.lra is created afterwards with the column (satudata/datasets.py)
do $$
begin
    if to_regclass('raw.lra') is not null then
        alter table raw.lra add column if not exists level integer;
    end if;
end
$$;
