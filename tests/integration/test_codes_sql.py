"""The code normalisers in Python (satudata/rules/codes.py, used by the row rules on landing) and
in SQL (dbt_project/macros/normalise.sql, used by staging) give the same code for every label.

Given real labels of SIPD tahapan and SP2D kinds, when each is normalised by the Python function
and by the dbt macro run in PostgreSQL, then both give the same canonical code (or both none): the
labels are listed here; versi and jenis SP2D read the seed kode_sinonim, so their macros are run through
dbt in tests/integration/test_kode_sinonim_sql.py. Here: how each jenis SP2D counts (realisasi_sign).
"""

from __future__ import annotations

import jinja2
import psycopg
import pytest

from satudata.config import REPO_ROOT
from satudata.rules import codes

MACROS = jinja2.Environment().from_string((REPO_ROOT / "dbt_project" / "macros" / "normalise.sql").read_text()).module

VERSI_LABELS = [
    "Penetapan",
    "APBD Murni",
    "murni",
    "DPA",
    "Pergeseran 1",
    "Pergeseran ke-2",
    "PERGESERAN KE 3",
    "pergeseran-4",
    "Pergeseran",
    "DPPA",
    "APBD-P",
    "Perubahan",
    "P-APBD",
    "APBD Perubahan",
    "xyz",
    " ",
    None,
]
SP2D = [
    ("LS", None),
    ("gu", None),
    ("GU Nihil", None),
    ("tu-nihil", None),
    ("Pengembalian Belanja", None),
    ("CP", None),
    ("bogus", None),
    (None, "18.72/04.0/000001/LS/1.02.0.00.0.00.01.0000/M/3/2024"),
    (None, "18.72/04.0/000002/gu/1.02/M/3/2024"),
    (None, "18.72/04.0/000003/UP/1.02/M/1/2024"),
    (None, "18.72/04.0/000004/TU/1.02/M/5/2024"),
    (None, "18.72/STS/000005/CP/1.02/M/6/2024"),
    (None, "00123/SP2D/2024"),
    (None, None),
    ("UP", "18.72/04.0/000006/LS/1.02/M/1/2024"),
]


def _sql(url: str, expr: str, columns: str, rows: list[tuple]) -> list[str | None]:
    with psycopg.connect(url) as conn:
        values = ", ".join(["(%s::int, " + ", ".join(["%s::text"] * (len(rows[0]))) + ")"] * len(rows))
        params = [p for n, row in enumerate(rows) for p in (n, *row)]
        query = f"select {expr} from (values {values}) as t (n, {columns}) order by n"
        return [r[0] for r in conn.execute(query, params).fetchall()]


@pytest.mark.parametrize("jenis", [*codes.JENIS_SP2D, None])
def test_realisasi_sign_of_every_jenis(pg_server, jenis):
    sign = _sql(pg_server, MACROS.realisasi_sign("jenis"), "jenis", [(jenis,)])[0]
    # an SP2D of unknown jenis counts as realisasi, as every SP2D did before jenis existed (BEL-007)
    expected = 1 if jenis in (*codes.JENIS_SP2D_REALISASI, None) else -1 if jenis == "PENGEMBALIAN" else 0
    assert sign == expected
