-- 008: rows that are not lines, and the export layout a file was read as (satudata/extract/profiles).
-- Per file: rows_read = rows_loaded + rows_quarantined + rows_set_aside; set_aside counts them by reason
-- (a JUMLAH/TOTAL row, a parent account, a komponen detail, an SPM not yet paid); profile is the id of the
-- export profile recognised ("sipd_register_sp2d"), null for a file in the standard's own columns.
alter table audit.source_file add column if not exists rows_set_aside bigint;
alter table audit.source_file add column if not exists set_aside jsonb;
alter table audit.source_file add column if not exists profile text;
