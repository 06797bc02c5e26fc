"""Upgrading a warehouse made by the last release before alembic (4ed32e6: idempotent SQL files applied
by fingerprint, no alembic_version) to the alembic head, with its data intact; downgrade where safe."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import psycopg
import pytest
from alembic.script import ScriptDirectory

from satudata.warehouse import downgrade, migrate, revision_of
from satudata.warehouse.migrations import DowngradeRefused

pytestmark = pytest.mark.integration

RELEASE = Path(__file__).parents[1] / "fixtures" / "warehouse_release_4ed32e6"
HEAD = ScriptDirectory(str(resources.files("satudata.warehouse") / "alembic")).get_current_head()

DATA = [
    "insert into audit.pipeline_run (run_id, status, finished_at) values ('r-lama', 'success', now())",
    "insert into audit.source_file (run_id, path, sha256, size_bytes, kode_pemda, opd, dataset, status, rows_read, "
    "rows_loaded, rows_quarantined, rows_set_aside, set_aside, profile) values ('r-lama', "
    "'18.72/DINKES/pegawai_2025-01.csv', 'aa', 120, '18.72', 'DINKES', 'pegawai', 'loaded', 3, 2, 0, 1, "
    """'{"JUMLAH": 1}', null), ('r-lama', '18.72/BPKAD/anggaran_2025.xlsx', 'bb', 900, '18.72', 'BPKAD', """
    """'anggaran', 'loaded_with_warnings', 2, 1, 1, 0, '{}', 'sipd_rincian_belanja')""",
    "insert into audit.row_finding (file_id, row_number, column_name, rule_id, severity, provided_value, expected, "
    "message) select file_id, 4, 'pagu', 'ANG-002', 'fatal', '-5', '>= 0', 'pagu negatif / negative pagu' "
    "from audit.source_file where sha256 = 'bb'",
    "insert into raw.pegawai (_file_id, _row_number, _kode_pemda, _opd_folder, _period, nip, nama, tanggal_lahir) "
    "select file_id, n, '18.72', 'DINKES', '2025-01', nip, nama, '1986-09-26' from audit.source_file, "
    "(values (2, '198609262015051001', 'Siti Aminah'), (3, '199001012019031002', 'Budi')) v(n, nip, nama) "
    "where sha256 = 'aa'",
    "insert into raw.anggaran (_file_id, _row_number, _kode_pemda, _opd_folder, _period, kode_rekening, pagu) "
    "select file_id, 3, '18.72', 'BPKAD', '2025', '5.1.02.01.01.0024', 1250000.50 from audit.source_file "
    "where sha256 = 'bb'",
    "insert into audit.source_row_history (dataset, file_id, row_number, kode_pemda, opd, period, superseded_by, "
    "row_values) select 'anggaran', file_id, 7, '18.72', 'BPKAD', '2025', file_id, "
    """'{"pagu": 10}' from audit.source_file where sha256 = 'bb'""",
    "insert into audit.schema_state (fingerprint) values ('fingerprint of release 4ed32e6')",
]
FILLED = [
    "audit.pipeline_run",
    "audit.source_file",
    "audit.row_finding",
    "raw.pegawai",
    "raw.anggaran",
    "audit.source_row_history",
]


def release_warehouse(url: str) -> None:
    """The schema as the release's migrate() made it: its SQL files in order, then its raw tables."""
    with psycopg.connect(url) as conn:
        for path in sorted(RELEASE.glob("[0-9]*.sql")):
            conn.execute(path.read_text())
        conn.execute((RELEASE / "raw_tables.sql").read_text())
        for statement in DATA:
            conn.execute(statement)


def snapshot(url: str) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        return {
            table: [
                r[0] for r in conn.execute(f"select to_jsonb(t) from {table} t order by to_jsonb(t)::text").fetchall()
            ]
            for table in FILLED
        } | {"columns": conn.execute(COLUMNS).fetchall()}


# every column of the release's tables, with its type: an upgrade may add, never drop or retype one
COLUMNS = (
    "select table_schema, table_name, column_name, data_type from information_schema.columns "
    "where table_schema in ('audit', 'raw', 'reference') order by 1, 2, 3"
)


def scalar(url: str, query: str):
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchone()[0]


def test_a_release_warehouse_upgrades_to_head_with_its_data(warehouse_url):
    # Given a warehouse made by the last release before alembic, holding files, findings, rows and history
    release_warehouse(warehouse_url)
    before = snapshot(warehouse_url)
    assert [len(before[t]) for t in FILLED] == [1, 2, 1, 2, 1, 1]
    with psycopg.connect(warehouse_url) as conn:
        assert revision_of(conn) is None
    # When this version migrates it
    migrate(warehouse_url)
    # Then it is at alembic's head, every row is as it was, and no column of the release went or changed type
    with psycopg.connect(warehouse_url) as conn:
        assert revision_of(conn) == HEAD
    after = snapshot(warehouse_url)
    for table in FILLED:  # each row with the release's columns as they were (later columns may be added)
        assert [{c: row[c] for c in old} for old, row in zip(before[table], after[table], strict=True)] == before[
            table
        ], table
    assert set(before["columns"]) <= set(after["columns"])
    assert scalar(warehouse_url, "select fingerprint from audit.schema_state") != "fingerprint of release 4ed32e6"
    # and the next start finds the schema current: nothing runs again, nothing changes
    migrated_at = scalar(warehouse_url, "select migrated_at from audit.schema_state")
    migrate(warehouse_url)
    assert scalar(warehouse_url, "select migrated_at from audit.schema_state") == migrated_at
    assert snapshot(warehouse_url) == after


def test_a_new_warehouse_gets_the_same_schema_as_an_upgraded_one(warehouse_url, pg_server):
    # Given an upgraded release warehouse (the test database) and a new one
    release_warehouse(warehouse_url)
    migrate(warehouse_url)
    fresh = warehouse_url + "_new"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {fresh.rsplit('/', 1)[1]} with (force)")
        conn.execute(f"create database {fresh.rsplit('/', 1)[1]}")
    # When the new one is migrated from nothing
    migrate(fresh)
    # Then both are at the head with the same columns
    with psycopg.connect(fresh) as conn:
        assert revision_of(conn) == HEAD
        fresh_columns = conn.execute(COLUMNS).fetchall()
    with psycopg.connect(warehouse_url) as conn:
        assert conn.execute(COLUMNS).fetchall() == fresh_columns


def test_downgrade_only_where_safe(warehouse_url):
    # Given an upgraded release warehouse whose history holds a superseded row
    release_warehouse(warehouse_url)
    migrate(warehouse_url)
    # When 014 is downgraded (safe: its columns only let a rerun reuse an earlier run): they are gone, the
    # runs are still there
    downgrade(warehouse_url, "011")
    with psycopg.connect(warehouse_url) as conn:
        assert revision_of(conn) == "011"
        columns = {r[2] for r in conn.execute(COLUMNS).fetchall() if r[:2] == ("audit", "pipeline_run")}
        assert "inputs_fingerprint" not in columns and "run_id" in columns
    assert scalar(warehouse_url, "select count(*) from audit.pipeline_run") == 1
    # When 011 is downgraded: it refuses (the history is the rows' only copy) and nothing changes
    with pytest.raises(DowngradeRefused, match="source_row_history"):
        downgrade(warehouse_url, "010")
    assert scalar(warehouse_url, "select count(*) from audit.source_row_history") == 1
    # nor does a downgrade past the baseline (010 refuses), and 011's drop is rolled back with it
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("delete from audit.source_row_history")
    with pytest.raises(DowngradeRefused, match="010_pemda_reference.sql"):
        downgrade(warehouse_url, "008")
    assert scalar(warehouse_url, "select to_regclass('audit.source_row_history') is not null") is True
    with psycopg.connect(warehouse_url) as conn:
        assert revision_of(conn) == "011"
    # When the history is empty, 011 goes down: its table and function are gone, the rest is intact
    downgrade(warehouse_url, "010")
    with psycopg.connect(warehouse_url) as conn:
        assert revision_of(conn) == "010"
        assert conn.execute("select to_regclass('audit.source_row_history')").fetchone()[0] is None
        assert conn.execute("select to_regprocedure('audit.row_origin(text, text, text)')").fetchone()[0] is None
        assert conn.execute("select count(*) from raw.anggaran").fetchone()[0] == 1
    # and the next start upgrades it again
    migrate(warehouse_url)
    with psycopg.connect(warehouse_url) as conn:
        assert revision_of(conn) == HEAD
        assert conn.execute("select to_regclass('audit.source_row_history')").fetchone()[0] is not None
