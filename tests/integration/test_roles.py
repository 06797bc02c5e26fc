"""The warehouse roles of the stages (migration 005), against the real PostgreSQL: each role can do
what its stage does and nothing more. Every stage connects with the configured URL and acts as its
role (`with_role`: SET ROLE at connect), which is what these tests do too."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from satudata.config import AUDITOR, LOADER, PUBLISHER, TRANSFORMER, DbParams, Settings, role_of, with_role
from satudata.warehouse import migrate
from satudata.warehouse.embedded import EmbeddedWarehouse

pytestmark = pytest.mark.integration

RAW_ROW = (
    "insert into raw.pegawai (_file_id, _row_number, _kode_pemda, _opd_folder, nip) "
    "values (1, 9, '18.72', 'DINKES', '198609262015051001')"
)
DENIED = psycopg.errors.InsufficientPrivilege


@pytest.fixture(scope="module")
def url(pg_server):
    # Given a warehouse migrated twice (every run applies the roles' grants again), with one table that
    # an earlier run built as the configured user (before the roles), then raw rows the loader loaded
    # and models dbt built afterwards as the transformer
    db = "t_roles"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {db} with (force)")
        conn.execute(f"create database {db}")
    url = pg_server.rsplit("/", 1)[0] + f"/{db}"
    migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create table marts.pub_old (jumlah int)")
        conn.execute("insert into marts.pub_old values (3)")
    migrate(url)
    with psycopg.connect(with_role(url, LOADER), autocommit=True) as conn:
        conn.execute(RAW_ROW)
        conn.execute(
            "insert into audit.source_file (path, sha256, size_bytes, status) values ('a.csv', 'x', 1, 'landed')"
        )
    with psycopg.connect(with_role(url, TRANSFORMER), autocommit=True) as conn:
        conn.execute("create table marts.pub_x as select 7 as jumlah")
        conn.execute("create table ref.pemda_x as select '18.72'::text as kode_pemda")
        conn.execute("create view staging.stg_x as select nip from raw.pegawai")
        conn.execute("create view intermediate.int_x as select * from staging.stg_x")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("insert into audit.pipeline_run (run_id) values ('r1')")
    return url


def attempt(url: str, role: str, statement: str) -> list[tuple]:
    """Run one statement as `role`, then roll it back: the tests share one database."""
    with psycopg.connect(with_role(url, role)) as conn:
        cur = conn.execute(statement)
        rows = cur.fetchall() if cur.description else []
        conn.rollback()
    return rows


# what no stage may do: make objects outside its schemas, or change the raw tables' shape
NOBODY = [
    "create table public.mine (x int)",
    "create schema mine",
    "create table audit.mine (x int)",
    "create table raw.mine (x int)",
    "alter table raw.pegawai add column y int",
    "drop table raw.pegawai",
    "truncate raw.pegawai",
    "update raw.pegawai set nip = 'x'",
    "alter table audit.source_file add column y int",
    "drop table audit.publication",
    "insert into audit.pipeline_run (run_id) values ('x')",
    "delete from audit.pipeline_run",
]

MAY = {
    LOADER: [
        RAW_ROW,
        "select count(*) from raw.pegawai",
        "delete from raw.pegawai where _file_id = 1",
        "insert into audit.source_file (path, sha256, size_bytes, status) values ('b.csv', 'y', 1, 'landed')",
        "update audit.source_file set status = 'loaded', superseded_by = null",
        "insert into audit.row_finding (file_id, rule_id, severity, message) "
        "select file_id, 'PEG-001', 'fatal', 'm' from audit.source_file",
        "insert into audit.run_file (run_id, relpath, land_status) values ('r1', 'a.csv', 'landed') "
        "on conflict (run_id, relpath) do update set land_status = excluded.land_status",
        "insert into audit.source_run (run_id, source_id, kind, kode_pemda, opd, dataset, status) "
        "values ('r1', 's1', 'sql', '18.72', 'BKPSDM', 'pegawai', 'extracted')",
        "insert into audit.source_watermark (source_id, watermark) values ('s1', now()) "
        "on conflict (source_id) do update set watermark = excluded.watermark",
        "select count(*) from audit.expected_submission",
        "create temporary table t (x int)",
    ],
    TRANSFORMER: [
        "select count(*) from raw.pegawai",
        "select count(*) from audit.source_file",
        "select count(*) from intermediate.int_x",
        # dbt: create, replace (rename, drop) its models, also those an earlier run built as another role
        "create table marts.mine as select 1 as x",
        "create or replace view staging.stg_y as select nip from raw.pegawai",
        "create view intermediate.int_y as select 1 as x",
        "create table ref.seed_y (x int)",
        "create table snapshots.snap_y (x int)",
        "alter table marts.pub_x rename to pub_x__dbt_backup",
        "drop table marts.pub_x",
        "alter table marts.pub_old rename to pub_old__dbt_backup",
        "drop table marts.pub_old",
        "truncate ref.pemda_x",
        # its results in audit: completeness, dbt results, the checks (validate)
        "insert into audit.file_period (file_id, periode, rows) select file_id, '2024-01', 1 from audit.source_file",
        "delete from audit.expected_submission",
        "delete from audit.dbt_result where run_id = 'r1'",
        "insert into audit.dbt_result (run_id, unique_id, status) values ('r1', 'model.satudata.x', 'success')",
        "insert into audit.rule_result (run_id, rule_id, dataset, severity, success) "
        "values ('r1', 'PUB-002', 'pub_x', 'fatal', true)",
        "update audit.pipeline_run set registry_hash = 'h', rule_catalogue_hash = 'h' where run_id = 'r1'",
        "create temporary table expected (x int) on commit drop",
    ],
    PUBLISHER: [
        "select jumlah from marts.pub_x",  # built by dbt after the migration
        "select jumlah from marts.pub_old",  # built before the roles
        "select count(*) from audit.rule_result",
        "select count(*) from audit.source_file",
        "insert into audit.publication (run_id, dataset_id, status) values ('r1', 'asn_jumlah', 'published')",
        "update audit.publication set status_color = 'green'",
        "insert into audit.publication_approval (run_id, decision, method) values ('r1', 'Approve', 'auto')",
        "update audit.pipeline_run set finished_at = now(), status = 'success' where run_id = 'r1'",
    ],
    AUDITOR: [
        "select jumlah from marts.pub_x",
        "select jumlah from marts.pub_old",
        "select kode_pemda from ref.pemda_x",
        "select count(*) from audit.source_file",
        "select count(*) from audit.publication_signed",
        "select count(*) from audit.quarantine",
    ],
}

MAY_NOT = {
    LOADER: NOBODY
    + [
        "select * from marts.pub_x",
        "select * from staging.stg_x",
        "select * from ref.pemda_x",
        "create table marts.mine (x int)",
        "alter table marts.pub_x add column y int",
        "drop table marts.pub_x",
        "insert into audit.publication (run_id, dataset_id, status) values ('r1', 'd', 'published')",
        "insert into audit.rule_result (run_id, rule_id, dataset, severity, success) "
        "values ('r1', 'X', 'd', 'fatal', true)",
        "delete from audit.dbt_result",
        "delete from audit.expected_submission",
        "update audit.pipeline_run set status = 'success'",
    ],
    TRANSFORMER: NOBODY
    + [
        RAW_ROW,
        "delete from raw.pegawai",
        "update audit.source_file set status = 'x'",
        "delete from audit.row_finding",
        "insert into audit.publication (run_id, dataset_id, status) values ('r1', 'd', 'published')",
        "update audit.publication_approval set decision = 'Approve'",
        "update audit.pipeline_run set status = 'success'",
    ],
    PUBLISHER: NOBODY
    + [
        "select * from raw.pegawai",
        "select * from staging.stg_x",
        "select * from intermediate.int_x",
        "select * from ref.pemda_x",
        "insert into marts.pub_x values (1)",
        "update marts.pub_x set jumlah = 0",
        "delete from marts.pub_x",
        "truncate marts.pub_x",
        "drop table marts.pub_x",
        "alter table marts.pub_x add column y int",
        "create table marts.mine (x int)",
        RAW_ROW,
        "insert into audit.rule_result (run_id, rule_id, dataset, severity, success) "
        "values ('r1', 'X', 'd', 'fatal', true)",
        "delete from audit.dbt_result",
        "update audit.source_file set status = 'x'",
        "update audit.pipeline_run set rule_catalogue_hash = 'x'",
    ],
    AUDITOR: NOBODY
    + [
        "select * from raw.pegawai",
        "select * from staging.stg_x",
        "insert into marts.pub_x values (1)",
        "update marts.pub_old set jumlah = 0",
        "delete from ref.pemda_x",
        "drop table marts.pub_x",
        "create table marts.mine (x int)",
        "create table ref.mine (x int)",
        "insert into audit.publication (run_id, dataset_id, status) values ('r1', 'd', 'published')",
        "update audit.source_file set status = 'x'",
        "delete from audit.rule_result",
    ],
}


def cases(table: dict[str, list[str]]) -> list:
    return [pytest.param(role, s, id=f"{role}: {s[:60]}") for role, statements in table.items() for s in statements]


@pytest.mark.parametrize(("role", "statement"), cases(MAY))
def test_each_role_can_do_its_stage(url, role, statement):
    attempt(url, role, statement)


@pytest.mark.parametrize(("role", "statement"), cases(MAY_NOT))
def test_and_nothing_more(url, role, statement):
    with pytest.raises(DENIED):
        attempt(url, role, statement)


def test_a_stage_session_acts_as_its_role(url):
    # Given the settings of a stage
    settings = Settings.from_env({"SATUDATA_WAREHOUSE_URL": url}).as_role(TRANSFORMER)

    # Then its sessions act as the role, logged in as the configured user
    with psycopg.connect(settings.require_url()) as conn:
        assert conn.execute("select current_user, session_user").fetchone() == (TRANSFORMER, "postgres")
    # and dbt, which reads its connection from the same URL, sets the role too (profiles.yml `role:`)
    assert DbParams.from_url(settings.require_url()).dbt_env()["SATUDATA_DB_ROLE"] == TRANSFORMER
    assert DbParams.from_url(url).dbt_env()["SATUDATA_DB_ROLE"] == ""
    # and the next stage takes its own role, not both
    publisher = Settings.from_env({"SATUDATA_WAREHOUSE_URL": settings.require_url()}).as_role(PUBLISHER)
    assert role_of(publisher.require_url()) == PUBLISHER
    assert publisher.require_url().count("-c%20role%3D") == 1


def test_the_stage_roles_are_group_roles_without_powers(url):
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls from pg_roles "
            "where rolname = any(%s) order by rolname",
            ([LOADER, TRANSFORMER, PUBLISHER, AUDITOR],),
        ).fetchall()
    assert [r[0] for r in rows] == sorted([LOADER, TRANSFORMER, PUBLISHER, AUDITOR])  # one auditor role: 002's
    assert all(r[1:] == (False,) * 5 for r in rows), rows


@pytest.fixture(scope="module")
def server_like(tmp_path_factory):
    """A PostgreSQL of its own, set up as deploy/warehouse/initdb does on a server: the pipeline's login
    owns the database, may create roles and is not a superuser; nobody else may connect."""
    server = EmbeddedWarehouse(tmp_path_factory.mktemp("server_like"))
    admin = server.start()
    owner, password = "satudata", uuid.uuid4().hex
    with psycopg.connect(admin.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f"create role {owner} login nosuperuser nocreatedb createrole password '{password}'")
        conn.execute(f"alter database satudata owner to {owner}")
        conn.execute("revoke all on database satudata from public")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("revoke create on schema public from public")
    yield admin.replace("postgres@", f"{owner}:{password}@", 1)
    server.stop()


def test_on_a_server_the_database_owner_sets_up_the_roles(server_like):
    # When the pipeline's login (not a superuser) runs the migrations, twice
    migrate(server_like)
    migrate(server_like)

    # Then each stage works under its role
    with psycopg.connect(with_role(server_like, LOADER), autocommit=True) as conn:
        conn.execute(RAW_ROW)
    with psycopg.connect(with_role(server_like, TRANSFORMER), autocommit=True) as conn:
        conn.execute("create table marts.pub_y as select count(*) as jumlah from raw.pegawai")
        conn.execute("create temporary table t (x int)")
    with psycopg.connect(with_role(server_like, PUBLISHER)) as conn:
        assert conn.execute("select jumlah from marts.pub_y").fetchone() == (1,)
        with pytest.raises(DENIED):
            conn.execute("select * from raw.pegawai")
    # and an auditor's own login may connect and read the marts, and nothing about persons
    login, password = f"auditor_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with psycopg.connect(server_like, autocommit=True) as conn:
        conn.execute(f"create role {login} login password '{password}' in role {AUDITOR}")
    auditor_url = server_like.split("://", 1)[0] + f"://{login}:{password}@" + server_like.split("@", 1)[1]
    with psycopg.connect(auditor_url) as conn:
        assert conn.execute("select jumlah from marts.pub_y").fetchone() == (1,)
        with pytest.raises(DENIED):
            conn.execute("select * from raw.pegawai")


def role_blocks() -> list[tuple[str, str]]:
    """The `do $$ ... $$` blocks of the migrations that create a server-wide role, with that role's name."""
    import re

    from satudata.warehouse.migrations import sql_text

    found = []
    for name, role in (
        ("002_rules_completeness_auditor.sql", "'auditor'"),
        ("005_roles.sql", "array['satudata_loader', 'satudata_transformer', 'satudata_publisher']"),
    ):
        for block in re.findall(r"do \$\$.*?\$\$;", sql_text(name), flags=re.S):
            if "create role" in block and role in block:
                block = block.replace(role, "{probe}").replace("create role auditor ", "create role {name} ")
                found.append((name, block))
    return found


@pytest.mark.parametrize("name,block", role_blocks(), ids=lambda v: v if v.endswith(".sql") else "block")
def test_a_role_created_by_another_warehouse_at_the_same_moment_is_no_error(pg_server, name, block):
    # Given a role that another database on the same server is creating right now (its transaction is
    # open: the check of the migration does not see it yet, and its create waits on it)
    import threading
    import time

    probe = f"satudata_probe_{uuid.uuid4().hex[:8]}"
    literal = f"'{probe}'" if name.startswith("002") else f"array['{probe}']"
    block = block.replace("{name}", probe)
    other = psycopg.connect(pg_server)
    other.execute(f"create role {probe} nologin")
    errors: list[BaseException] = []

    def migrate_block():
        try:
            with psycopg.connect(pg_server, autocommit=True) as conn:
                conn.execute(block.replace("{probe}", literal))
        except BaseException as error:  # noqa: BLE001 - the test reports it
            errors.append(error)

    worker = threading.Thread(target=migrate_block)
    try:
        worker.start()
        with psycopg.connect(pg_server, autocommit=True) as watch:
            for _ in range(200):  # the migration's create is waiting for the other transaction
                waiting = watch.execute(
                    "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like 'do $$%%'"
                ).fetchone()[0]
                if waiting:
                    break
                time.sleep(0.05)
        assert waiting, "the migration's block never waited on the other transaction"
        # When the other database commits its role
        other.commit()
        worker.join(30)
        # Then the migration goes on: the role exists, once
        assert not worker.is_alive()
        assert errors == []
        with psycopg.connect(pg_server, autocommit=True) as conn:
            assert conn.execute("select count(*) from pg_roles where rolname = %s", (probe,)).fetchone()[0] == 1
    finally:
        other.close()
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"drop role if exists {probe}")
