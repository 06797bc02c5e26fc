-- 007: what the schema was last migrated to (satudata/warehouse/__init__.py, `migrate`): a hash of every
-- migration file, raw table definition and the user migrating. A start that finds the same hash applies
-- only 005 (the roles' grants) again: the `alter table ... if not exists` of the others take an ACCESS
-- EXCLUSIVE lock each time, and a run starting beside another that is loading waited on it, or deadlocked.
create table if not exists audit.schema_state (
    id           integer primary key default 1 check (id = 1),
    fingerprint  text not null,
    migrated_at  timestamptz not null default now()
);
