-- 015: publishers (issue 15). Each public body publishes its own rows and its PPID decides for it alone:
-- a publication decision and a PPID answer are per run x publisher (kode_pemda; '' for rows written
-- before publishers, and for a revert of the one shared catalogue). A dataset the PPID held back is
-- status 'held' ("ditunda PPID") with the reason and the approver who held it.
alter table audit.publication add column if not exists kode_pemda text not null default '';
alter table audit.publication add column if not exists held_reason text;
alter table audit.publication add column if not exists held_by text;
alter table audit.publication_approval add column if not exists kode_pemda text not null default '';

do $$
begin
    if not exists (
        select 1 from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
        where c.conrelid = 'audit.publication'::regclass and c.contype = 'p' and a.attname = 'kode_pemda'
    ) then
        alter table audit.publication drop constraint if exists publication_pkey;
        alter table audit.publication add primary key (run_id, kode_pemda, dataset_id);
    end if;
    if not exists (
        select 1 from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
        where c.conrelid = 'audit.publication_approval'::regclass and c.contype = 'p' and a.attname = 'kode_pemda'
    ) then
        alter table audit.publication_approval drop constraint if exists publication_approval_pkey;
        alter table audit.publication_approval add primary key (run_id, kode_pemda);
    end if;
end
$$;

-- what auditors read: each decision with the sign-off of its publisher's PPID in that run
create or replace view audit.publication_signed as
    select p.run_id, p.dataset_id, p.status, p.version, p.row_count, p.content_hash, p.reasons,
           p.decided_at, p.actor, a.decision as ppid_decision, a.approved_by, a.approved_by_id,
           a.responded_at as approved_at, a.method as approval_method, p.kode_pemda, p.held_reason, p.held_by
    from audit.publication p
    left join audit.publication_approval a using (run_id, kode_pemda);
