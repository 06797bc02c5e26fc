"""`reuse_connections()`: the land and load batches lend one open connection from file to file, and
each block still commits on its own (or rolls back), exactly as a connection of its own would."""

from __future__ import annotations

import psycopg
import pytest

from satudata.warehouse import connect, reuse_connections

pytestmark = pytest.mark.integration


def pid(conn: psycopg.Connection) -> int:
    return conn.execute("select pg_backend_pid()").fetchone()[0]


def test_blocks_share_one_connection_and_commit_each(warehouse_url):
    with connect(warehouse_url) as conn:
        conn.execute("create table t (v int)")

    with reuse_connections():
        # Given two blocks one after the other
        with connect(warehouse_url) as conn:
            first = pid(conn)
            conn.execute("insert into t values (1)")
        with connect(warehouse_url) as conn:
            second = pid(conn)
            # and a block nested in this one
            with connect(warehouse_url) as inner:
                nested = pid(inner)
            conn.execute("insert into t values (2)")
        # When a block fails
        with pytest.raises(RuntimeError), connect(warehouse_url) as conn:
            failed = pid(conn)
            conn.execute("insert into t values (3)")
            raise RuntimeError("a file failed")
        with connect(warehouse_url) as conn:
            after = pid(conn)

    # Then the blocks in a row shared a server process, a nested block had its own, the failed
    # block's connection was dropped with its work, and every block that ended well committed
    assert first == second != nested
    assert failed in (second, nested) and after not in (first, failed)
    with psycopg.connect(warehouse_url) as check:
        assert [r[0] for r in check.execute("select v from t order by v")] == [1, 2]
        assert not check.execute("select 1 from pg_stat_activity where pid = %s", (failed,)).fetchone()
