"""The SQL side of the code lists (issue #18, acceptance 2): the dbt macros of macros/normalise.sql,
run in PostgreSQL against the seed kode_sinonim loaded by `dbt seed`, give the same code as the
Python normalisers (satudata/rules/codes.py) for every spelling in the seed and for the real and
wrong spellings of tests/unit/test_codes.py. Real PostgreSQL and dbt, no Airflow."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from satudata.config import DbParams
from satudata.rules import codes as c
from tests.conftest import make_settings
from tests.integration.test_codes_sql import SP2D, VERSI_LABELS
from tests.unit.test_codes import REAL_SPELLINGS, SEED

pytestmark = pytest.mark.integration

# the expression macros staging calls, per list (stg_opd__pegawai joins kode_sinonim_lookup() instead)
EXPRESSION_MACROS = {
    "jenis_kelamin": "clean_jenis_kelamin",
    "golongan": "clean_golongan",
    "pendidikan": "clean_pendidikan",
}


def dbt(settings, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        **DbParams.from_url(settings.warehouse_url).dbt_env(),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            *args,
            "--project-dir",
            str(settings.dbt_dir),
            "--profiles-dir",
            str(settings.dbt_dir),
            "--target-path",
            str(settings.home / "dbt_target"),
            "--log-path",
            str(settings.home / "dbt_logs"),
        ],
        env=env,
        cwd=settings.dbt_dir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return proc


def test_sql_macros_give_the_python_codes(tmp_path, warehouse_url):
    # Given the seed and its lookup table built in PostgreSQL by dbt
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    dbt(settings, "build", "--select", "kode_sinonim", "stg_ref__kode_sinonim")
    with SEED.open(encoding="utf-8") as f:
        probes = {(r["daftar"], r["nilai_sumber"]) for r in csv.DictReader(f)}
    probes |= {(daftar, value) for daftar, value, _ in REAL_SPELLINGS}
    probes |= {("golongan", " iii / A "), ("pendidikan", "s 1 / sarjana"), ("jenis_kelamin", "")}
    values = ", ".join("('{}', '{}')".format(d, v.replace("'", "''")) for d, v in sorted(probes))

    # When the lookup (kunci_kode + kode_sinonim_lookup, what stg_opd__pegawai joins) and the
    # expression macros run on every probe
    expression = (
        "case p.daftar "
        + " ".join(f"when '{d}' then {{{{ {m}('p.nilai') }}}}" for d, m in EXPRESSION_MACROS.items())
        + " end"
    )
    inline = (
        f"with probe (daftar, nilai) as (values {values}) "
        f"select p.daftar, p.nilai, k.kode, {expression} as kode_macro from probe as p "
        "left join ({{ kode_sinonim_lookup() }}) as k "
        "on k.daftar = p.daftar and k.kunci = {{ kunci_kode('p.nilai') }}"
    )
    out = dbt(settings, "show", "--inline", inline, "--limit", "-1", "--output", "json", "--log-format", "json")
    shown = next(
        json.loads(line)["data"]["preview"]
        for line in out.stdout.splitlines()
        if line.startswith("{") and '"preview"' in line
    )
    rows = json.loads(shown) if isinstance(shown, str) else shown

    # Then SQL and Python agree on every probe, and the expression macros equal the lookup
    assert len(rows) == len(probes)
    disagree = [
        (r["daftar"], r["nilai"], r["kode"], c.kode(r["daftar"], r["nilai"]))
        for r in rows
        if r["kode"] != c.kode(r["daftar"], r["nilai"])
    ]
    assert disagree == []
    assert [r for r in rows if r["daftar"] in EXPRESSION_MACROS and r["kode_macro"] != r["kode"]] == []
    by_value = {(r["daftar"], r["nilai"]): r["kode"] for r in rows}
    assert by_value[("golongan", "Penata Muda (III/a)")] == "III/a"
    assert by_value[("pendidikan", "s 1 / sarjana")] == "S1"
    assert by_value[("status_kepegawaian", "Pensiunan")] is None


def test_versi_and_jenis_sp2d_macros_give_the_python_codes(tmp_path, warehouse_url):
    """The two lists that were Python and SQL tables until issue 18 (now in the seed): real SIPD tahapan
    labels and SP2D kinds, by the column or, when it is empty, by the SP2D number."""
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    dbt(settings, "build", "--select", "kode_sinonim", "stg_ref__kode_sinonim")
    cases = [(n, v, None, None) for n, v in enumerate(VERSI_LABELS)]
    cases += [(len(VERSI_LABELS) + n, None, j, nomor) for n, (j, nomor) in enumerate(SP2D)]

    def text(value):
        return "null::text" if value is None else "'{}'::text".format(value.replace("'", "''"))

    values = ", ".join(f"({n}, {text(v)}, {text(j)}, {text(nomor)})" for n, v, j, nomor in cases)
    inline = (
        f"select n, {{{{ clean_versi('versi') }}}} as versi, {{{{ clean_jenis_sp2d('jenis', 'nomor') }}}} as jenis "
        f"from (values {values}) as t (n, versi, jenis, nomor) order by n"
    )
    out = dbt(settings, "show", "--inline", inline, "--limit", "-1", "--output", "json", "--log-format", "json")
    shown = next(
        json.loads(line)["data"]["preview"]
        for line in out.stdout.splitlines()
        if line.startswith("{") and '"preview"' in line
    )
    rows = json.loads(shown) if isinstance(shown, str) else shown
    versi = [r["versi"] for r in rows[: len(VERSI_LABELS)]]
    jenis = [r["jenis"] for r in rows[len(VERSI_LABELS) :]]

    python_versi = [c.clean_versi(v) for v in VERSI_LABELS]
    assert versi == python_versi
    # the real SIPD labels all land in the code list, a bare `Pergeseran` (which one?) does not
    assert python_versi[:8] == ["MURNI"] * 4 + ["PERGESERAN_1", "PERGESERAN_2", "PERGESERAN_3", "PERGESERAN_4"]
    assert python_versi[9:14] == ["PERUBAHAN"] * 5
    assert python_versi[8] not in c.VERSI and python_versi[14] not in c.VERSI
    python_jenis = [c.clean_jenis_sp2d(j, nomor) for j, nomor in SP2D]
    assert jenis == python_jenis
    assert python_jenis == [
        "LS", "GU", "GU_NIHIL", "TU_NIHIL", "PENGEMBALIAN", "PENGEMBALIAN", "BOGUS",
        "LS", "GU", "UP", "TU", "PENGEMBALIAN", None, None, "UP",
    ]  # fmt: skip
