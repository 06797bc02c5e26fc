-- Publication sign-off and version history (satudata/publish). Idempotent: runs at every start.

-- The PPID (Pejabat Pengelola Informasi dan Dokumentasi) decision for one pipeline run, taken in
-- Airflow's Human-in-the-loop step between validate and publish, or given by the auto-approve
-- setting (SATUDATA_AUTO_APPROVE=true, for the demo and CI: method 'auto').
create table if not exists audit.publication_approval (
    run_id          text primary key,
    decision        text not null,           -- Approve | Reject
    approved_by     text,                    -- the responder's name (Airflow user), or the setting
    approved_by_id  text,                    -- the responder's Airflow user id
    responded_at    timestamptz,             -- when the PPID answered
    method          text not null,           -- hitl | auto
    airflow_run_id  text,
    details         jsonb not null default '{}'::jsonb,
    recorded_at     timestamptz not null default now()
);

-- who acted on a publication row outside a pipeline run (`satudata revert`: status 'reverted')
alter table audit.publication add column if not exists actor text;

-- what auditors read: each publication decision with the sign-off of its run
create or replace view audit.publication_signed as
    select p.run_id, p.dataset_id, p.status, p.version, p.row_count, p.content_hash, p.reasons,
           p.decided_at, p.actor, a.decision as ppid_decision, a.approved_by, a.approved_by_id,
           a.responded_at as approved_at, a.method as approval_method
    from audit.publication p
    left join audit.publication_approval a using (run_id);
