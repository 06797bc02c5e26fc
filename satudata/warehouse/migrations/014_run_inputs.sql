-- 014: a rerun with nothing new does no work (satudata/rerun.py). `inputs_fingerprint`: what the run was
-- made from (the content hashes of the files it saw, the code and definitions, the pipeline's day, the
-- reference lists and the manual publication acts); `unchanged_since`: the last successful run with the
-- same fingerprint, whose build, checks and publication decisions this run kept instead of redoing them.
alter table audit.pipeline_run add column if not exists inputs_fingerprint text;
alter table audit.pipeline_run add column if not exists unchanged_since text;

-- written by `transform` (satudata_transformer): through this function, run with its owner's rights,
-- so migration 005 (applied again at every start, revoking the stage roles' grants on audit tables)
-- need not know these two columns; it touches nothing else of the run
create or replace function audit.note_run_inputs(p_run_id text, p_fingerprint text, p_unchanged_since text)
returns void
language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
    update audit.pipeline_run set inputs_fingerprint = p_fingerprint, unchanged_since = p_unchanged_since
    where run_id = p_run_id
$$;
revoke all on function audit.note_run_inputs(text, text, text) from public;
grant execute on function audit.note_run_inputs(text, text, text) to satudata_transformer;
