-- 006: what the marts were last built from (satudata/transform.py). `project_fingerprint` hashes the
-- dbt project (models, macros, seeds, snapshots, dbt_project.yml, dbt version): when it changes, the
-- next build is `dbt build --full-refresh` (incremental facts rebuilt from scratch). `data_fingerprint`
-- hashes what dbt reads besides raw (audit.source_file, audit.expected_submission) and the build date:
-- when neither changed, a rerun keeps the last build and its per-node results instead of building again.
create table if not exists audit.dbt_state (
    project              text primary key,
    project_fingerprint  text not null,
    data_fingerprint     text not null,
    run_id               text not null,
    built_at             timestamptz not null default now()
);
-- written by `transform` under its warehouse role (migration 005 runs before this table exists)
grant insert, update, delete on audit.dbt_state to satudata_transformer;
