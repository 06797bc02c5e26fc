-- 002: what the audit schema adds for the rule catalogue, completeness and the auditors.
-- Applied after 001 at every pipeline start: every statement is idempotent.

-- provenance of each run: which rule catalogue and which source registry it checked against
alter table audit.pipeline_run add column if not exists rule_catalogue_hash text;
alter table audit.pipeline_run add column if not exists registry_hash text;

-- each rule's result per run: every catalogue rule has one row per checked table or dataset,
-- row rules included (counted over the current files), with the outcome spelled out
alter table audit.rule_result add column if not exists kind text;            -- row | gx
alter table audit.rule_result add column if not exists category text;
alter table audit.rule_result add column if not exists outcome text;         -- passed | failed | error
alter table audit.rule_result add column if not exists message text;

-- the gate's traffic light per published dataset and run:
-- green = all checks passed and every expected source is complete and on time;
-- amber = published, with warnings or incomplete sources; red = blocked
alter table audit.publication add column if not exists status_color text;
alter table audit.publication add column if not exists warnings jsonb not null default '[]'::jsonb;
alter table audit.publication add column if not exists incomplete jsonb not null default '[]'::jsonb;
alter table audit.publication add column if not exists validation jsonb;

-- what the source registry expects (pemda x OPD x dataset x periode) and what arrived: refilled
-- from the registry at every run (satudata/rules/completeness.py), read by dbt as a source for
-- the data-quality scorecard (pub_skor_kualitas_data) and by GX (CMP-001..003)
create table if not exists audit.expected_submission (
    kode_pemda          text not null,
    opd                 text not null,
    dataset             text not null,
    periode             text not null,          -- YYYY-MM or YYYY, as the registry says
    source_id           text,
    kind                text,                   -- file | http | sql
    deadline            date,
    status              text not null,          -- on_time | late | missing | rejected
    partial             boolean not null default false,   -- some rows quarantined
    first_received_at   timestamptz,
    days_late           integer,
    file_ids            bigint[] not null default '{}',
    rows_loaded         bigint not null default 0,
    rows_quarantined    bigint not null default 0,
    run_id              text,
    checked_at          timestamptz not null default now(),
    primary key (kode_pemda, opd, dataset, periode)
);

-- the same, kept per run for the auditors
create table if not exists audit.expected_submission_history (
    run_id              text not null,
    kode_pemda          text not null,
    opd                 text not null,
    dataset             text not null,
    periode             text not null,
    source_id           text,
    kind                text,
    deadline            date,
    status              text not null,
    partial             boolean not null default false,
    first_received_at   timestamptz,
    days_late           integer,
    file_ids            bigint[] not null default '{}',
    rows_loaded         bigint not null default 0,
    rows_quarantined    bigint not null default 0,
    checked_at          timestamptz not null default now(),
    primary key (run_id, kode_pemda, opd, dataset, periode)
);

-- the periods each file brought (rows per period), recorded while the file is current, so that
-- "first received" survives a later file replacing those periods
create table if not exists audit.file_period (
    file_id     bigint not null references audit.source_file (file_id),
    periode     text not null,                  -- YYYY-MM, or YYYY for yearly data, '*' for none
    rows        bigint not null,
    primary key (file_id, periode)
);

create index if not exists row_finding_rule on audit.row_finding (rule_id);

-- Auditors (Inspektorat / BPK): a read-only group role. NOLOGIN: nobody connects as `auditor`;
-- each auditor gets a login role that is a member (see docs/rules.md, "Auditor access"):
--   create role inspektorat_budi login password '...' in role auditor;
--   alter role inspektorat_budi set default_transaction_read_only = on;
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'auditor') then
        create role auditor nologin nocreatedb nocreaterole;
    end if;
exception when duplicate_object or unique_violation then
    -- roles belong to the server, not the database: another warehouse on the same server, migrating
    -- at the same moment, created it between the check and the create
    null;
end
$$;

-- dbt creates marts and ref on its first build; creating them here lets the grants apply now
create schema if not exists marts;
create schema if not exists ref;

grant usage on schema audit, marts, ref to auditor;
grant select on all tables in schema audit, marts, ref to auditor;
-- tables created later (dbt rebuilds every mart at each run) by the role running the migrations
-- and dbt; when dbt runs as another role, repeat this `for role <that role>`
alter default privileges in schema audit, marts, ref grant select on tables to auditor;
-- nothing else: no usage on raw, staging, intermediate; no insert, update, delete, truncate,
-- references, trigger or create anywhere
revoke insert, update, delete, truncate, references, trigger on all tables in schema audit, marts, ref from auditor;
revoke create on schema audit, marts, ref, public from auditor;
