"""History, not deletion: rows a corrected file replaces leave raw.<dataset> (staging reads only current
rows) and are kept whole in audit.source_row_history, with the file that replaced them."""

from __future__ import annotations

import pytest

from satudata.warehouse import connect
from tests.conftest import make_settings
from tests.integration.test_landing_idempotent import drop, roster, run

pytestmark = pytest.mark.integration


def test_replaced_rows_are_kept_with_the_file_that_replaced_them(tmp_path, warehouse_url):
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    # Given January and February from one file, then a corrected February, then a corrected January
    drop(settings.landing, "pegawai_q1.csv", roster(["2024-01", "2024-02"]))
    run(settings, "r1")
    drop(settings.landing, "pegawai_2024-02_revisi.csv", roster(["2024-02"], jabatan="Analis"))
    run(settings, "r2")
    drop(settings.landing, "pegawai_2024-01_revisi.csv", roster(["2024-01"], jabatan="Pranata"))
    run(settings, "r3")

    with connect(warehouse_url) as conn:
        history = conn.execute(
            "select file_id, period, superseded_by, row_values->>'nama_jabatan', row_values->>'_row_number', "
            "row_number, count(*) over () from audit.source_row_history where dataset = 'pegawai' "
            "order by period, row_number"
        ).fetchall()
        raw = conn.execute("select count(*) from raw.pegawai").fetchone()[0]
        loaded = conn.execute("select sum(rows_loaded) from audit.source_file").fetchone()[0]

    # Then the first file's six rows are in the history, each with the file that replaced it, its row
    # number in the submitted file, and its values as loaded
    assert [h[:4] for h in history] == [(1, "2024-01", 3, "Pengadministrasi")] * 3 + [
        (1, "2024-02", 2, "Pengadministrasi")
    ] * 3
    assert [int(h[4]) for h in history] == [h[5] for h in history] == [2, 3, 4, 5, 6, 7]
    # and nothing was lost: every row ever loaded is current in raw or kept in the history
    assert raw + len(history) == loaded == 12
