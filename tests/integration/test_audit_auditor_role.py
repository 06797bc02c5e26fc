"""The read-only `auditor` role (migration 002), against the real PostgreSQL: a login that is a member
can read the audit schema, the marts and the reference tables, including marts dbt creates later,
and cannot write anything anywhere, nor read the raw rows about persons."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from satudata.warehouse import migrate

pytestmark = pytest.mark.integration

WRITES = [
    "insert into audit.pipeline_run (run_id) values ('x')",
    "update audit.source_file set status = 'x'",
    "delete from audit.rule_result",
    "truncate audit.publication",
    "update marts.pub_x set jumlah = 0",
    "delete from marts.pub_x",
    "insert into ref.pemda_x values ('x')",
    "drop table marts.pub_x",
    "alter table marts.pub_x add column y int",
    "create table audit.mine (x int)",
    "create table marts.mine (x int)",
    "create table ref.mine (x int)",
    "create table public.mine (x int)",
    "create schema mine",
    "create view audit.v as select 1",
    "create function audit.f() returns int language sql as 'select 1'",
]


@pytest.fixture
def auditor_url(warehouse_url):
    # Given a migrated warehouse, then a mart and a reference table built afterwards (as dbt does)
    migrate(warehouse_url)
    migrate(warehouse_url)  # idempotent: every run applies the roles' grants again
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("create table marts.pub_x (jumlah int)")
        conn.execute("insert into marts.pub_x values (7)")
        conn.execute("create table ref.pemda_x (kode text)")
        conn.execute(
            "insert into raw.pegawai (_file_id, _row_number, _kode_pemda, _opd_folder, nip) "
            "values (1, 1, '18.72', 'DINKES', '198609262015051001')"
        )
        # and an auditor's own login, as docs/rules.md says to create it
        login = f"auditor_{uuid.uuid4().hex[:8]}"
        conn.execute(f"create role {login} login in role auditor")
    yield warehouse_url.replace("postgres@", f"{login}@", 1), login
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute(f"drop role {login}")


def test_auditor_is_a_nologin_group_role(warehouse_url):
    migrate(warehouse_url)
    with psycopg.connect(warehouse_url) as conn:
        login, superuser, createdb, createrole = conn.execute(
            "select rolcanlogin, rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = 'auditor'"
        ).fetchone()
    assert (login, superuser, createdb, createrole) == (False, False, False, False)


def test_an_auditor_reads_audit_marts_and_ref(auditor_url):
    url, _ = auditor_url
    with psycopg.connect(url) as conn:
        assert conn.execute("select jumlah from marts.pub_x").fetchone() == (7,)
        assert conn.execute("select count(*) from ref.pemda_x").fetchone() == (0,)
        for table in (
            "pipeline_run",
            "source_file",
            "rule_result",
            "quarantine",
            "publication",
            "expected_submission",
            "expected_submission_history",
            "file_period",
        ):
            conn.execute(f"select * from audit.{table} limit 1")


@pytest.mark.parametrize("statement", WRITES)
def test_an_auditor_cannot_write_anything(auditor_url, statement):
    url, _ = auditor_url
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


@pytest.mark.parametrize("table", ["raw.pegawai", "staging.stg_x"])
def test_an_auditor_cannot_read_rows_about_persons(auditor_url, warehouse_url, table):
    url, _ = auditor_url
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("create schema if not exists staging")
        conn.execute("create or replace view staging.stg_x as select nip from raw.pegawai")
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"select * from {table}")


def test_a_read_only_login_cannot_even_make_temporary_tables(auditor_url, warehouse_url):
    # Given the login made read-only by default, as docs/rules.md says
    url, login = auditor_url
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute(f"alter role {login} set default_transaction_read_only = on")
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("create temporary table t (x int)")
