-- 005: one warehouse role per stage of the pipeline, each allowed only what its stage does.
-- Applied at every pipeline start (`start`), after 001-004, by the configured user: `postgres` on the
-- embedded server, the database owner `satudata` (CREATEROLE, not a superuser) on a server
-- (docs/deploy.md, "Warehouse roles"). Idempotent; the stage roles' grants on raw and audit are
-- revoked and granted again in this one transaction, so this file alone says who may do what.
--
-- Every stage connects with the configured URL and takes its role for the whole session (libpq
-- option `-c role=...`: satudata/config.py `with_role`; dbt: `role:` in dbt_project/profiles.yml),
-- so the grants below are enforced, not advisory:
--
--   role                  stages (dags/satudata_pipeline.py)  may
--   satudata_loader       sources, extract, land, load        read and write raw; read audit, write
--                                                             its intake tables (source_*, row_finding,
--                                                             run_file)
--   satudata_transformer  transform (dbt build), validate     read raw and audit; own ref, staging,
--                                                             intermediate, marts, snapshots (dbt creates
--                                                             and replaces their tables); write the build
--                                                             and check results in audit
--   satudata_publisher    ppid_approval, publish, report      read marts and audit; write audit.publication*
--                                                             and close the run in audit.pipeline_run
--   auditor               people (migration 002)              read audit, marts, ref; nothing else
--
-- `start` (these migrations, audit.pipeline_run) runs as the configured user itself.
-- A new audit table is readable by every stage (default privileges below). The stage that writes it
-- needs a grant: a later migration that creates the table grants it there, e.g.
--   grant insert, update, delete on audit.dbt_state to satudata_transformer;
-- (on a new warehouse, 005 runs before the table exists), and adds it to the `writes` below.

do $$
declare
    r text;
begin
    foreach r in array array['satudata_loader', 'satudata_transformer', 'satudata_publisher'] loop
        -- roles belong to the server: another warehouse on it, migrating at the same moment, may
        -- create the role or grant it between the check and the statement (002 says the same)
        begin
            if not exists (select from pg_roles where rolname = r) then
                execute format('create role %I nologin nosuperuser nocreatedb nocreaterole noreplication', r);
            end if;
        exception when duplicate_object or unique_violation then
            null;
        end;
        -- the configured user takes the stage roles (SET) and acts for the transformer's objects
        -- (INHERIT: grants on dbt's tables, default privileges); a superuser may both anyway
        begin
            if not (pg_has_role(current_user, r, 'SET') and pg_has_role(current_user, r, 'USAGE')) then
                execute format('grant %I to %I', r, current_user);
            end if;
        exception when duplicate_object or unique_violation then
            null;
        end;
    end loop;
end
$$;

-- CONNECT is revoked from PUBLIC on a server (deploy/warehouse/initdb): members of these group roles
-- may connect; the stages' temporary tables (completeness, dbt snapshots) need TEMPORARY
do $$
begin
    if pg_has_role(current_user, (select datdba from pg_database where datname = current_database()), 'USAGE') then
        execute format('grant connect, temporary on database %I to satudata_loader, satudata_transformer, '
                       'satudata_publisher', current_database());
        execute format('grant connect on database %I to auditor', current_database());
    end if;
end
$$;

-- dbt's schemas exist before dbt runs, so it never needs CREATE on the database
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists snapshots;

-- dbt creates and replaces (renames, drops) its tables and views as satudata_transformer, which only
-- an owner may: hand it whatever an earlier run built as another role
do $$
declare
    obj record;
begin
    for obj in
        select n.nspname, c.relname, c.relkind
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('ref', 'staging', 'intermediate', 'marts', 'snapshots')
          and c.relkind in ('r', 'p', 'v', 'm', 'f')
          and c.relowner <> 'satudata_transformer'::regrole
          and pg_has_role(current_user, c.relowner, 'USAGE')
    loop
        execute format('alter %s %I.%I owner to satudata_transformer',
                       case obj.relkind when 'v' then 'view' when 'm' then 'materialized view'
                                        when 'f' then 'foreign table' else 'table' end,
                       obj.nspname, obj.relname);
    end loop;
end
$$;

-- schemas
revoke all on schema raw, audit, ref, staging, intermediate, marts, snapshots, public
    from satudata_loader, satudata_transformer, satudata_publisher;
grant usage on schema raw, audit to satudata_loader, satudata_transformer;
grant usage, create on schema ref, staging, intermediate, marts, snapshots to satudata_transformer;
grant usage on schema audit, marts to satudata_publisher;

-- raw: the loader's; dbt and the reconciliation checks (validate) read it
revoke all on all tables in schema raw from satudata_loader, satudata_transformer, satudata_publisher;
grant select, insert, delete on all tables in schema raw to satudata_loader;
grant select on all tables in schema raw to satudata_transformer;
-- raw tables are created after these files (satudata/warehouse/__init__.py migrate), and new datasets
-- later: default privileges of the configured user
alter default privileges in schema raw grant select, insert, delete on tables to satudata_loader;
alter default privileges in schema raw grant select on tables to satudata_transformer;

-- audit: every stage reads it; each writes its own tables
revoke all on all tables in schema audit from satudata_loader, satudata_transformer, satudata_publisher;
revoke all on all sequences in schema audit from satudata_loader, satudata_transformer, satudata_publisher;
grant select on all tables in schema audit to satudata_loader, satudata_transformer, satudata_publisher;
alter default privileges in schema audit grant select on tables
    to satudata_loader, satudata_transformer, satudata_publisher;
do $$
declare
    w record;
    t record;
begin
    for w in
        select * from (values
            ('satudata_loader', 'source\_%'),          -- source_file, source_run, source_watermark
            ('satudata_loader', 'row\_finding'),
            ('satudata_loader', 'run\_file'),
            ('satudata_transformer', 'file\_period'),    -- completeness, before dbt
            ('satudata_transformer', 'expected\_submission%'),
            ('satudata_transformer', 'dbt\_%'),          -- dbt_result, dbt_state (006)
            ('satudata_transformer', 'rule\_result'),     -- validate
            ('satudata_publisher', 'publication%')        -- publication, publication_approval
        ) as writes (role, pattern)
    loop
        for t in
            select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'audit' and c.relkind in ('r', 'p') and c.relname like w.pattern
        loop
            execute format('grant insert, update, delete on audit.%I to %I', t.relname, w.role);
        end loop;
    end loop;
end
$$;
grant usage on all sequences in schema audit to satudata_loader;  -- source_file.file_id, row_finding
-- the run's provenance (transform, validate) and its end (report); the run itself is `start`'s
grant update (registry_hash, rule_catalogue_hash) on audit.pipeline_run to satudata_transformer;
grant update (status, finished_at) on audit.pipeline_run to satudata_publisher;

-- marts: the publisher reads them, never staging, intermediate or raw. Tables dbt creates later
-- belong to satudata_transformer: its default privileges give them to the publisher and the auditors
-- (002 gives them the tables that exist now, and those the configured user creates)
revoke all on all tables in schema marts from satudata_publisher;
grant select on all tables in schema marts to satudata_publisher;
alter default privileges for role satudata_transformer in schema marts
    grant select on tables to satudata_publisher, auditor;
alter default privileges for role satudata_transformer in schema ref grant select on tables to auditor;
