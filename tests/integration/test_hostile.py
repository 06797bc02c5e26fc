"""Hostile input, proven case by case (tests/fixtures/hostile/cases.yaml): every case ends in a clear
per-file status with its reason, in bounded memory and time, and takes nothing from the others: the
whole corpus lands and loads in one batch beside a good file, which loads. Real PostgreSQL, the
stage functions (discover -> land -> load), no Airflow."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import psutil
import psycopg
import pytest
import yaml

from satudata import pipeline
from satudata.config import REPO_ROOT
from satudata.datasets import DATASETS
from satudata.extract.readers import FileRejected, read_file
from satudata.extract.registry import RegistryError, load_registry
from satudata.load import loader
from satudata.publish.release import FORMULA_START, PLAIN_NUMBER, render_csv, safe_cell
from tests.conftest import make_settings
from tests.fixtures.hostile import make_hostile

pytestmark = pytest.mark.integration

HOSTILE = REPO_ROOT / "tests" / "fixtures" / "hostile"
CASES = make_hostile.load_cases()
BY_ID = {c["id"]: c for c in CASES}
GOOD = "18.72/DINKES/realisasi_belanja/good.csv"


class Peak:
    """Peak RSS growth of this process while a block runs (sampled every 10 ms by a thread)."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> Peak:
        self.base = self.proc.memory_info().rss
        self.peak = self.base
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)
        self.seconds = time.monotonic() - self.started
        self.growth_mb = (self.peak - self.base) / 2**20


class Listener:
    """A TCP server on 127.0.0.1 that counts connections: what an external link must never reach."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def _place(case: dict, landing: Path, tmp: Path, listener: Listener) -> None:
    """Put a file case where it lands (or set up a `land` case)."""
    target = landing / case["path"] if case["kind"] == "file" else None
    source = case.get("file")
    setup = case.get("setup")
    if case["kind"] == "land":
        outside = tmp / "outside"
        outside.mkdir(exist_ok=True)
        if source:
            shutil.copy(HOSTILE / "files" / source, outside / source)
        if setup == "outside":
            shutil.copy(HOSTILE / "files" / source, tmp / source)  # landing/../outside_secret.csv
        elif setup == "symlink_file":
            link = landing / case["path"]
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(outside / source)
        elif setup == "symlink_dir":
            link = landing / Path(case["path"]).parent
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(outside, target_is_directory=True)
        elif setup == "fifo":
            fifo = landing / case["path"]
            fifo.parent.mkdir(parents=True, exist_ok=True)
            os.mkfifo(fifo)
        return
    assert target is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, dict):
        make = make_hostile.GENERATED[source["generate"]]
        if source["generate"] == "external_link":
            make(target, f"http://127.0.0.1:{listener.port}/anggaran_induk.xlsx")
        else:
            make(target)
    else:
        shutil.copy(HOSTILE / "files" / source, target)


@pytest.fixture(scope="module")
def run(tmp_path_factory, pg_server):
    """The whole corpus and a good file in one landing folder, through discover -> land -> load."""
    tmp = tmp_path_factory.mktemp("hostile")
    db = "t_hostile"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {db} with (force)")
        conn.execute(f"create database {db}")
    landing = tmp / "landing"
    landing.mkdir()
    settings = make_settings(tmp, pg_server.rsplit("/", 1)[0] + f"/{db}", landing)
    listener = Listener()
    for case in CASES:
        if case["kind"] in ("file", "land"):
            _place(case, landing, tmp, listener)
    shutil.copy(HOSTILE / "files" / "good.csv", landing / GOOD)
    cwd_before = set(os.listdir(Path.cwd()))

    run_id = pipeline.start(settings, "hostile")
    discovered = pipeline.discover_files(settings)
    outcomes: dict[str, dict] = {}
    for relpath in discovered:  # what `land_batch` and `load_batch` do, file by file, measured
        with Peak() as peak:
            try:
                landed = pipeline.land(settings, run_id, relpath)
                pipeline.load(settings, landed)
                error = None
            except Exception as e:  # noqa: BLE001 - a hostile file must never raise: recorded, asserted below
                landed, error = {}, f"{type(e).__name__}: {e}"
        outcomes[relpath] = {
            "landed": landed,
            "error": error,
            "seconds": peak.seconds,
            "rss_mb": peak.growth_mb,
            "peak_mb": peak.peak / 2**20,
        }
    for case in CASES:
        if case["kind"] == "land":
            landed = pipeline.land(settings, run_id, case["path"])
            pipeline.load(settings, landed)
            outcomes[case["path"]] = {"landed": landed, "error": None, "seconds": 0, "rss_mb": 0}
    listener.close()
    with psycopg.connect(settings.warehouse_url) as conn:
        cur = conn.execute(
            "select file_id, path, sha256, status, rows_read, rows_loaded, rows_quarantined, "
            "rows_set_aside, reasons from audit.source_file order by file_id"
        )
        names = [d.name for d in cur.description]
        files = {r[0]: dict(zip(names, r, strict=True)) for r in cur}
    yield {
        "settings": settings,
        "discovered": discovered,
        "outcomes": outcomes,
        "files": files,
        "listener": listener,
        "tmp": tmp,
        "cwd_before": cwd_before,
    }


def _file(run: dict, case: dict) -> dict:
    """The audit row of the file the case landed as (every case's content is unique in its slot)."""
    landed = run["outcomes"][case["path"]]["landed"]
    assert landed.get("status") in ("landed", "rejected"), f"{case['id']}: landed as {landed}"
    return run["files"][landed["file_id"]]


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] in ("file", "land")], ids=lambda c: c["id"])
def test_each_hostile_file_ends_in_its_expected_status(run, case):
    expect = case["expect"]
    if expect["status"] == "skipped":
        assert case["path"] not in run["discovered"]
        assert case["path"] not in {f["path"] for f in run["files"].values()}
        return
    if case["kind"] == "land":  # discover never hands these over; landing them directly refuses them
        assert case["path"] not in run["discovered"]
    outcome = run["outcomes"][case["path"]]
    assert outcome["error"] is None, f"{case['id']} raised instead of ending in a status: {outcome['error']}"
    f = _file(run, case)
    assert f["status"] == expect["status"], f"{case['id']}: {f['status']} {f['reasons']}"
    if "reason" in expect:
        assert any(expect["reason"] in r for r in f["reasons"]), f"{case['id']}: {f['reasons']}"
    if expect["status"] == "rejected":
        assert f["reasons"], "a rejected file says why"
        assert f["rows_loaded"] in (None, 0)
    else:
        assert (f["rows_loaded"], f["rows_quarantined"]) == (expect["rows_loaded"], expect["rows_quarantined"])
        assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"] + (f["rows_set_aside"] or 0)
    if "code" in expect:  # the reader's stable code, from the archived copy
        kept = run["settings"].home / "archive" / f"{f['sha256']}{Path(case['path']).suffix.lower()}"
        dataset = case["path"].split("/")[2]
        with pytest.raises(FileRejected) as rejected:
            for _ in read_file(kept, DATASETS[dataset]).rows:  # some give out part way through
                pass
        assert rejected.value.code == expect["code"]
    if "max_rss_growth_mb" in expect:
        print(
            f"{case['id']}: {outcome['seconds']:.1f} s, peak RSS growth {outcome['rss_mb']:.0f} MB "
            f"(peak {outcome['peak_mb']:.0f} MB)"
        )  # shown by pytest -s
        assert outcome["rss_mb"] < expect["max_rss_growth_mb"], f"{case['id']}: {outcome['rss_mb']:.0f} MB"
    if "max_seconds" in expect:
        assert outcome["seconds"] < expect["max_seconds"]


def test_the_good_file_beside_them_loads(run):
    good = run["files"][run["outcomes"][GOOD]["landed"]["file_id"]]
    assert (good["status"], good["rows_loaded"], good["rows_quarantined"]) == ("loaded", 3, 0)
    with psycopg.connect(run["settings"].warehouse_url) as conn:
        rows = conn.execute(
            "select nomor_sp2d from raw.realisasi_belanja where _file_id = %s order by 1", (good["file_id"],)
        ).fetchall()
    assert [r[0] for r in rows] == [f"SP2D-BAIK-{i:07d}" for i in (1, 2, 3)]


def test_raw_holds_exactly_what_the_files_say_they_loaded(run):
    with psycopg.connect(run["settings"].warehouse_url) as conn:
        for name in DATASETS:
            loaded = sum(
                f["rows_loaded"] or 0
                for f in run["files"].values()
                if f["status"] in ("loaded", "loaded_with_warnings") and f"/{name}/" in f["path"]
            )
            assert conn.execute(f"select count(*) from raw.{name}").fetchone()[0] == loaded, name


def _values(run: dict, case: dict, column: str) -> list:
    f = _file(run, case)
    dataset = case["path"].split("/")[2]
    with psycopg.connect(run["settings"].warehouse_url) as conn:
        return [
            r[0]
            for r in conn.execute(
                f"select {column} from raw.{dataset} where _file_id = %s order by _row_number", (f["file_id"],)
            )
        ]


@pytest.mark.parametrize("case", [c for c in CASES if "values" in c["expect"]], ids=lambda c: c["id"])
def test_xlsx_formulas_give_their_cached_values_never_evaluated(run, case):
    for column, expected in case["expect"]["values"].items():
        assert [int(v) for v in _values(run, case, column)] == expected  # 1+1 cached as 5000 stays 5000


def test_external_links_are_not_followed(run):
    assert BY_ID["H22"]["expect"]["not_fetched"]
    assert run["listener"].connections == 0


@pytest.mark.parametrize("case", [c for c in CASES if "neutralised" in c["expect"]], ids=lambda c: c["id"])
def test_formula_looking_text_stays_text_and_is_neutralised_on_publication(run, case):
    column = case["expect"]["neutralised"]
    values = _values(run, case, column)
    risky = [v for v in values if v.startswith(FORMULA_START)]
    assert risky, "the payloads reach raw as text, unchanged"
    assert all(safe_cell(v).startswith("'") for v in risky)
    data = render_csv([(column, "text")], [[v] for v in values])
    cells = [row[0] for row in csv.reader(io.StringIO(data.decode()))][1:]
    assert not [c for c in cells if c.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(c)]


def test_control_characters_are_removed_and_counted(run):
    values = _values(run, BY_ID["H28"], "nomor_sp2d")
    assert values == ["SP2D-KONTROL[31m-1", "SP2D-KONTROL-2"]
    assert not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", v) for v in values)


def test_names_are_never_given_to_a_shell(run):
    # the file named `laporan $(touch PWNED) ...` loaded as a name, and nothing ran
    assert not list(run["tmp"].rglob("PWNED")) and "PWNED" not in set(os.listdir(Path.cwd())) - run["cwd_before"]
    code = [p for p in (REPO_ROOT / "satudata").rglob("*.py")] + list((REPO_ROOT / "dags").glob("*.py"))
    shelly = [
        f"{p}: {m.group(0)}"
        for p in code
        for m in re.finditer(r"shell\s*=\s*True|os\.system\(|os\.popen\(|commands\.getoutput", p.read_text())
    ]
    assert not shelly


def test_nothing_outside_the_landing_folder_is_read(run):
    secret = (HOSTILE / "files" / "outside_secret.csv").read_bytes()
    archive = run["settings"].home / "archive"
    assert not [p for p in archive.iterdir() if p.is_file() and p.read_bytes() == secret]
    assert not [f for f in run["files"].values() if "RAHASIA" in str(f["reasons"])]


def test_identifiers_never_reach_sql_as_text(run):
    # the batch held SQL in a dataset folder, an OPD folder, the pemda folder, header names, a sheet
    # name and cell values: every raw and audit table is still there, and the sheet name is data
    with psycopg.connect(run["settings"].warehouse_url) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "select table_schema || '.' || table_name from information_schema.tables "
                "where table_schema in ('raw', 'audit')"
            )
        }
        sheets = {r[0] for r in conn.execute("select distinct _sheet from raw.realisasi_belanja")}
    assert {f"raw.{d}" for d in DATASETS} | {"audit.source_file", "audit.row_finding"} <= tables
    assert "x'); drop table raw.pegawai;--" in sheets
    # every identifier the loader puts in SQL is one of the 14 datasets, quoted
    for hostile in ("pegawai; drop table raw.pegawai", 'pegawai"', "../pegawai", "Pegawai"):
        with pytest.raises(ValueError):
            loader._raw_table(hostile)
    assert loader._raw_table("pegawai").as_string(None) == '"raw"."pegawai"'
    # dbt's variables are literals of dbt_project.yml (numbers, dates, null); none comes from outside
    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    for name, value in project["vars"].items():
        if isinstance(value, dict):  # a literal mapping: default dates (MM-DD) per tahapan
            assert all(re.fullmatch(r"[A-Z_]+", k) and re.fullmatch(r"\d{2}-\d{2}", v) for k, v in value.items()), name
            continue
        assert value is None or isinstance(value, int | float) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), name
    assert not [p for p in (REPO_ROOT / "satudata").rglob("*.py") if "--vars" in p.read_text()]


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "registry"], ids=lambda c: c["id"])
def test_hostile_registries_are_refused_as_a_whole(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a python tag that ran would leave PWNED here
    started = time.monotonic()
    with pytest.raises(RegistryError) as refused:
        load_registry(HOSTILE / "files" / case["file"])
    assert case["expect"]["reason"] in str(refused.value)
    assert time.monotonic() - started < 5 and not (tmp_path / "PWNED").exists()


def test_the_corpus_is_at_least_thirty_cases_and_reproducible(tmp_path):
    assert len(CASES) >= 30 and len(BY_ID) == len(CASES)
    written = make_hostile.write_small(tmp_path)
    for path in written:
        committed = HOSTILE / "files" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name}: run make_hostile.py again"
        assert committed.stat().st_size < 1 << 20  # big files are generated at test time only
    referenced = {c["file"] for c in CASES if isinstance(c.get("file"), str)}
    assert referenced <= {p.name for p in written}


def test_readme_lists_every_case():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.find(make_hostile.README_START), readme.find(make_hostile.README_END)
    assert start >= 0 and end > start, "README.md lacks the Reliability table (make_hostile.py --readme)"
    assert readme[start : end + len(make_hostile.README_END)] == make_hostile.readme_table(CASES)
