-- The audit schema: what was received, what was checked, what was published. Read by auditors.
create schema if not exists audit;
create schema if not exists raw;

create table if not exists audit.pipeline_run (
    run_id          text primary key,
    started_at      timestamptz not null default now(),
    finished_at     timestamptz,
    status          text not null default 'running',
    git_commit      text,
    airflow_run_id  text
);

create table if not exists audit.source_file (
    file_id          bigserial primary key,
    run_id           text,
    path             text not null,
    sha256           text not null,
    size_bytes       bigint not null,
    kode_pemda       text,
    opd              text,
    dataset          text,
    received_at      timestamptz not null default now(),
    status           text not null,
    sheet            text,
    header_row       integer,
    encoding         text,
    delimiter        text,
    rows_read        integer,
    rows_loaded      integer,
    rows_quarantined integer,
    superseded_by    bigint references audit.source_file (file_id),
    reasons          jsonb not null default '[]'::jsonb
);
create index if not exists source_file_slot on audit.source_file (kode_pemda, opd, dataset);
create index if not exists source_file_sha on audit.source_file (sha256);

-- every rule a submitted row broke: fatal findings put the row in quarantine (kept here, not in raw),
-- warnings are kept in raw and reported
create table if not exists audit.row_finding (
    finding_id      bigserial primary key,
    file_id         bigint not null references audit.source_file (file_id),
    sheet           text,
    row_number      integer,
    column_name     text,
    rule_id         text not null,
    severity        text not null,
    provided_value  text,
    expected        text,
    message         text not null,
    row_values      jsonb
);
create index if not exists row_finding_file on audit.row_finding (file_id);
create or replace view audit.quarantine as
    select * from audit.row_finding where severity = 'fatal';

create table if not exists audit.rule_result (
    run_id          text not null,
    rule_id         text not null,
    dataset         text not null,
    severity        text not null,
    success         boolean not null,
    failing_count   bigint,
    examples        jsonb not null default '[]'::jsonb,
    checked_at      timestamptz not null default now(),
    primary key (run_id, rule_id, dataset)
);

create table if not exists audit.dbt_result (
    run_id          text not null,
    unique_id       text not null,
    status          text not null,
    execution_time  double precision,
    rows_affected   bigint,
    message         text,
    primary key (run_id, unique_id)
);

create table if not exists audit.publication (
    run_id            text not null,
    dataset_id        text not null,
    status            text not null,
    version           text,
    row_count         bigint,
    content_hash      text,
    git_commit        text,
    dbt_manifest_hash text,
    rule_catalogue_hash text,
    reasons           jsonb not null default '[]'::jsonb,
    decided_at        timestamptz not null default now(),
    primary key (run_id, dataset_id)
);

-- which files each run saw, and what landing made of them
create table if not exists audit.run_file (
    run_id        text not null,
    relpath       text not null,
    file_id       bigint references audit.source_file (file_id),
    land_status   text not null,
    primary key (run_id, relpath)
);
