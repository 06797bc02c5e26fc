"""Accuracy checks before publication, against a real PostgreSQL and real Great Expectations.

One warehouse is prepared once (module fixture) with the pipeline's own stage functions: the
sample data of Kota Metro landed and loaded, a source registry, one `dbt build`. Then:

- `base`: validate -> gate -> report on the clean warehouse: every fatal check passes and every
  dataset is published;
- `broken`: a copy of it (CREATE DATABASE ... TEMPLATE) where each reconciliation and consistency
  rule is broken on purpose (payroll 10% above 5.1.01.01, a published total off, ...): each rule
  fails, with its failing examples in audit.rule_result and in the auditors' report, and the fatal
  ones block the publications they touch, only those;
- `unbalanced`: a copy where a file's rows do not add up (ACC-001, which touches every dataset).

Marts are edited directly in the copies (no dbt rebuild): that is what a reconciliation must catch.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import yaml

from satudata import pipeline
from satudata.publish.tables import BULAN
from satudata.reference import SEEDS
from satudata.rules import catalogue, completeness
from satudata.sample import generate
from satudata.transform import publications
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

PEMDA = "18.72"


def _connect(url: str):
    return psycopg.connect(url, autocommit=True)


def _new_db(server: str, name: str, template: str | None = None) -> str:
    admin = server.rsplit("/", 1)[0] + "/postgres"
    with _connect(admin) as conn:
        if template:
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
                (template,),
            )
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}" + (f" template {template}" if template else ""))
    return admin.rsplit("/", 1)[0] + f"/{name}"


def _landing(root: Path) -> Path:
    """The small sample, Kota Metro only; the pemda LRA is written by the fixture from the accepted
    SP2D (exact, see `_write_lra`), so that the LRA rules start from an LRA that agrees."""
    generate(root, scale="small")
    for other in root.iterdir():
        if other.is_dir() and other.name != PEMDA:
            shutil.rmtree(other)
    shutil.rmtree(root / PEMDA / "BPKAD" / "lra", ignore_errors=True)
    return root


def _write_lra(url: str, landing: Path) -> Path:
    """An LRA of the pemda as DJPK shows it (names, amounts in rupiah) equal to the accepted SP2D's realisasi:
    LS and GU less refunds (`/CP/`); UP and TU are advances (the sample's numbers name the jenis)."""
    names = {}
    with (SEEDS / "rekening.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if int(row["level"]) <= 3 and row["kode_rekening"].startswith("5"):
                names[row["kode_rekening"]] = row["uraian"]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    with _connect(url) as conn:
        for code, nilai in conn.execute(
            "select kode_rekening, sum(nilai * case when nomor_sp2d like '%%/CP/%%' then -1 "
            "when nomor_sp2d ~ '/(UP|TU)/' then 0 else 1 end) "
            "from raw.realisasi_belanja where _kode_pemda = %s group by 1",
            (PEMDA,),
        ):
            parts = code.split(".")
            for level in (1, 2, 3):
                totals[".".join(parts[:level])] += nilai
    path = landing / PEMDA / "BPKAD" / "lra" / "lra_2024.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tahun", "akun", "anggaran", "realisasi", "persentase"])
        for code in sorted(totals, key=lambda c: [int(x) for x in c.split(".")]):
            amount = totals[code]
            w.writerow([2024, names[code], amount, amount, "100.00"])
    return path


def _registry(url: str, path: Path) -> dict:
    """Registry entries that give each completeness status: on time, late, missing, partial."""
    with (SEEDS / "opd.csv").open(encoding="utf-8") as f:
        opds = sorted(r["singkatan"] for r in csv.DictReader(f) if r["kode_pemda"] == PEMDA)
    with _connect(url) as conn:
        partial_file = conn.execute(
            "select opd, dataset from audit.source_file where kode_pemda = %s and dataset = 'pegawai' "
            "and rows_quarantined > 0 and superseded_by is null order by file_id limit 1",
            (PEMDA,),
        ).fetchone()
        with_pengaduan = {r[0] for r in conn.execute("select opd from audit.source_file where dataset = 'pengaduan'")}
        no_pengaduan = [o for o in opds if o not in with_pengaduan][:1]
        # DINKES's roster arrived "on 20 January 2024": on time for every month of 2024
        conn.execute(
            "update audit.source_file set received_at = '2024-01-20 09:00+07' "
            "where kode_pemda = %s and opd = 'DINKES' and dataset = 'pegawai'",
            (PEMDA,),
        )
    sources = [
        {
            "id": "metro-dinkes-pegawai",
            "kode_pemda": PEMDA,
            "opd": "DINKES",
            "dataset": "pegawai",
            "kind": "file",
            "expected_periods": ["2023-12", "2024-01..2024-12"],
        },  # 2023-12 never came
        {
            "id": "metro-bkpsdm-skp",
            "kode_pemda": PEMDA,
            "opd": "BKPSDM",
            "dataset": "kinerja_pegawai",
            "kind": "file",
            "expected_periods": ["2024"],
        },  # came late (today)
        {
            "id": "metro-partial-pegawai",
            "kode_pemda": PEMDA,
            "opd": partial_file[0],
            "dataset": "pegawai",
            "kind": "file",
            "expected_periods": ["2024-06"],
        },  # rows quarantined
        {
            "id": "metro-nopengaduan",
            "kode_pemda": PEMDA,
            "opd": no_pengaduan[0],
            "dataset": "pengaduan",
            "kind": "file",
            "expected_periods": ["2024-01..2024-03"],
        },  # missing
    ]
    path.write_text(yaml.safe_dump({"defaults": {"deadline_day": 10}, "sources": sources}), encoding="utf-8")
    return {"partial_opd": partial_file[0], "missing_opd": no_pengaduan[0]}


def _run(settings, run_id: str, transform: bool = False) -> dict:
    """The pipeline's stages after loading, as the DAG calls them."""
    pipeline.start(settings, run_id)
    if transform:
        pipeline.transform(settings, run_id)
    else:  # marts are kept as they are (possibly broken on purpose); completeness is refreshed as transform would
        completeness.refresh_expected(settings, settings.require_url(), run_id)
    pipeline.validate(settings, run_id)
    published = pipeline.gate_and_publish(settings, run_id)
    outcome = pipeline.report(settings, run_id)
    return {"published": published, "outcome": outcome}


@pytest.fixture(scope="module")
def prepared(pg_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rules_gx")
    landing = _landing(tmp / "landing")
    url = _new_db(pg_server, "t_rules_base")
    registry = tmp / "registry.yaml"
    registry.write_text("sources: []\n", encoding="utf-8")  # written for real once the data is loaded

    def settings(name: str, db_url: str):
        return replace(make_settings(tmp / name, db_url, landing), registry=registry, auto_approve=True)

    base = settings("base", url)
    run_id = pipeline.start(base, "load")
    for relpath in pipeline.discover_files(base):
        pipeline.load(base, pipeline.land(base, run_id, relpath))
    lra = _write_lra(url, landing)
    pipeline.load(base, pipeline.land(base, run_id, str(lra.relative_to(landing))))
    picked = _registry(url, registry)
    # one dbt build: the clean warehouse every copy starts from
    pipeline.start(base, "build")
    pipeline.transform(base, "build")
    broken_url = _new_db(pg_server, "t_rules_broken", template="t_rules_base")
    unbalanced_url = _new_db(pg_server, "t_rules_unbalanced", template="t_rules_base")

    clean = _run(base, "base")
    # the copies start from what the clean run published: a blocked dataset must keep that version
    broken_settings = settings("broken", broken_url)
    shutil.copytree(base.published, broken_settings.published)
    injected = _inject(broken_url, broken_settings)
    broken = _run(broken_settings, "broken")
    unbalanced_settings = settings("unbalanced", unbalanced_url)
    shutil.copytree(base.published, unbalanced_settings.published)
    with _connect(unbalanced_url) as conn:
        conn.execute(
            "update audit.source_file set rows_read = rows_read + 1 where file_id = (select min(file_id) "
            "from audit.source_file where status = 'loaded' and superseded_by is null)"
        )
    unbalanced = _run(unbalanced_settings, "unbalanced")
    return {
        "base": (base, clean),
        "broken": (broken_settings, broken),
        "unbalanced": (unbalanced_settings, unbalanced),
        "injected": injected,
        "picked": picked,
        "pubs": publications(base),
    }


def _one(conn, sql: str, *args):
    return conn.execute(sql, args or None).fetchone()


def _inject(url: str, settings) -> dict:
    """Break one thing per rule; returns what was broken, for the assertions."""
    pubs = publications(settings)
    measure = pubs["marts.pub_pendapatan_target_realisasi"]["meta"]["measure"]
    out = {}
    with _connect(url) as conn:
        # REC-004: one OPD-month's GAJI paid 10% above what the SP2D on 5.1.01.01 paid (the month's only salary run)
        opd, periode, nilai, ctid = _one(
            conn,
            """
            select s._opd_folder, s.periode, s.nilai_bruto, r.ctid
            from staging.stg_opd__pembayaran_penghasilan s
            join raw.pembayaran_penghasilan r using (_file_id, _row_number)
            where s.jenis_penghasilan = 'GAJI'
                and s._opd_folder in (select _opd_folder from staging.stg_opd__realisasi_belanja)
                and not exists (select 1 from staging.stg_opd__pembayaran_penghasilan x
                                where x._file_id = s._file_id and x.periode = s.periode
                                    and x.jenis_penghasilan in ('THR', 'GAJI_13'))
            order by s.nilai_bruto desc limit 1""",
        )
        conn.execute(
            "update raw.pembayaran_penghasilan set nilai_bruto = %s where ctid = %s", (nilai * Decimal("1.10"), ctid)
        )
        out["REC-004"] = {"opd": opd, "periode": periode, "paid": nilai * Decimal("1.10"), "spm": nilai}
        # REC-001: a published absorption total 1,000,000 above the accepted SP2D (a line's last month)
        line = _one(
            conn,
            """select kode_opd, kode_jenis_belanja, tahun, max(bulan) from marts.pub_serapan_anggaran
                            group by 1, 2, 3 order by 1, 2, 3 limit 1""",
        )
        conn.execute(
            "update marts.pub_serapan_anggaran set realisasi_kumulatif = realisasi_kumulatif + 1000000 "
            "where (kode_opd, kode_jenis_belanja, tahun, bulan) = (%s, %s, %s, %s)",
            line,
        )
        # SER-001: another line's cumulative drops in February
        line = _one(
            conn,
            """select kode_opd, kode_jenis_belanja, tahun, realisasi_kumulatif
                            from marts.pub_serapan_anggaran where bulan = 1 and realisasi_kumulatif > 0
                            order by 1, 2, 3 offset 1 limit 1""",
        )
        conn.execute(
            "update marts.pub_serapan_anggaran set realisasi_kumulatif = %s - 1 "
            "where (kode_opd, kode_jenis_belanja, tahun) = (%s, %s, %s) and bulan = 2",
            (line[3], *line[:3]),
        )
        out["SER-001"] = {"kode_opd": line[0], "bulan": 2, "line": line[:2]}
        # REC-002: a published cell of 1,000 ASN more than were submitted (small OPDs: most cells are suppressed)
        kab, periode_asn, ctid = _one(
            conn,
            "select kode_kabupaten_kota, periode, ctid from marts.pub_asn_jumlah order by periode, kode_opd limit 1",
        )
        conn.execute(
            "update marts.pub_asn_jumlah set jumlah_pegawai = coalesce(jumlah_pegawai, 0) + 1000, "
            "disupresi = false where ctid = %s",
            (ctid,),
        )
        shown = _one(
            conn,
            "select sum(jumlah_pegawai) from marts.pub_asn_jumlah where kode_kabupaten_kota = %s and periode = %s",
            kab,
            periode_asn,
        )[0]
        out["REC-002"] = {"periode": periode_asn, "provided": shown}
        # REC-003: 3 more respondents published than survey responses received
        conn.execute(
            "update marts.pub_ikm_layanan set jumlah_responden = jumlah_responden + 3 "
            "where ctid = (select ctid from marts.pub_ikm_layanan limit 1)"
        )
        # LRA-001 and REC-005: the LRA's Belanja Pegawai realisasi twice its children and the OPD data
        conn.execute("update raw.lra set realisasi = realisasi * 2 where lower(akun) = 'belanja pegawai'")
        # BEL-003: an SP2D number twice in the pemda (SP2D injections stay off 5.1.01: REC-004 is the payroll)
        # (LS lines: UP/TU are advances, not realisasi, so REC-001's difference below holds for LS only)
        sp2d = (
            "select ctid from raw.realisasi_belanja where kode_rekening not like '5.1.01.%' "
            "and nomor_sp2d like '%/LS/%' order by _file_id, _row_number"
        )
        dup = _one(
            conn,
            f"insert into raw.realisasi_belanja select * from raw.realisasi_belanja where ctid = "
            f"({sp2d} limit 1) returning nilai",
        )[0]
        # BEL-005: a payment far above its line's pagu; BEL-006: a payment to a line with no pagu
        conn.execute(
            f"update raw.realisasi_belanja set nilai = nilai + 1000000000000 where ctid = ({sp2d} offset 5 limit 1)"
        )
        conn.execute(
            f"update raw.realisasi_belanja set kode_sub_kegiatan = '1.02.02.2.01.9999' where ctid = "
            f"({sp2d} offset 10 limit 1)"
        )
        out["REC-001"] = {"difference": Decimal(1_000_000) - dup - Decimal(10**12)}
        # BEL-007: an SP2D whose number names no jenis (the sample files have no jenis_sp2d column)
        conn.execute(
            f"update raw.realisasi_belanja set nomor_sp2d = 'SP2D-TANPA-JENIS-1' where ctid = "
            f"({sp2d} offset 20 limit 1)"
        )
        # SER-002: another line (not SER-001's) drops in March by a refund of 5 booked in March
        line = _one(
            conn,
            """select kode_opd, kode_jenis_belanja, tahun, realisasi_kumulatif
                            from marts.pub_serapan_anggaran where bulan = 2 and realisasi_kumulatif > 5
                                and (kode_opd, kode_jenis_belanja) <> (%s, %s)
                            order by 1, 2, 3 offset 2 limit 1""",
            *out["SER-001"]["line"],
        )
        conn.execute(
            "update marts.pub_serapan_anggaran set realisasi_kumulatif = %s - 5, pengembalian_bulan = 5 "
            "where (kode_opd, kode_jenis_belanja, tahun) = (%s, %s, %s) and bulan = 3",
            (line[3], *line[:3]),
        )
        out["SER-002"] = {"kode_opd": line[0], "kode_jenis_belanja": line[1], "bulan": 3}
        # ANG-003: a parent line whose pagu is not the sum of the detail below it
        conn.execute("""insert into raw.anggaran (_file_id, _sheet, _row_number, _kode_pemda, _opd_folder, _period,
                            tahun, versi, kode_opd, kode_sub_kegiatan, nama_sub_kegiatan, kode_rekening,
                            uraian_rekening, pagu, sumber_dana, tagging)
                        select _file_id, _sheet, 99999, _kode_pemda, _opd_folder, _period,
                            tahun, versi, kode_opd, kode_sub_kegiatan, nama_sub_kegiatan,
                            regexp_replace(kode_rekening, '\\.[^.]+$', ''), 'induk', pagu + 1000, sumber_dana, tagging
                        from raw.anggaran where ctid = (select ctid from raw.anggaran order by _file_id, _row_number
                                                         limit 1)""")
        # FOR-003: 10 eselon II vacancies proposed in one periode of the pre-Pilkada window (cap 3)
        conn.execute("""update raw.formasi_jabatan set usulan_pengisian = 10 where ctid = (
                            select r.ctid from raw.formasi_jabatan r
                            join staging.stg_opd__formasi_jabatan s using (_file_id, _row_number)
                            where s.eselon like 'II.%' and s.periode between '2024-04' and '2024-11'
                            order by s._file_id, s._row_number limit 1)""")
        # SKP-002: an OPD where everyone is rated SANGAT_BAIK
        skp_opd = _one(
            conn,
            """select _opd_folder from staging.stg_opd__kinerja_pegawai group by 1
                               having count(*) >= 10 order by count(*), 1 limit 1""",
        )[0]
        conn.execute(
            "update raw.kinerja_pegawai set predikat = 'SANGAT_BAIK' where upper(_opd_folder) = %s", (skp_opd,)
        )
        out["SKP-002"] = {"opd": skp_opd}
        # LAY-005: a request for a service the OPD's standard does not list
        conn.execute("""update raw.permohonan_layanan set kode_layanan = 'TIDAK-ADA' where ctid = (
                            select p.ctid from raw.permohonan_layanan p where exists (
                                select 1 from raw.jenis_layanan j
                                where j._kode_pemda = p._kode_pemda and j._opd_folder = p._opd_folder)
                            order by p._file_id, p._row_number limit 1)""")
        # PUB-001 / PUB-002 / PUB-003: a duplicate key, an empty publication, an empty measure
        conn.execute("insert into marts.pub_capaian_spm select * from marts.pub_capaian_spm limit 1")
        conn.execute("delete from marts.pub_formasi_lowongan")
        conn.execute(
            f"update marts.pub_pendapatan_target_realisasi set {measure} = null "
            "where ctid = (select ctid from marts.pub_pendapatan_target_realisasi limit 1)"
        )
    return out


def results(url: str, run_id: str) -> dict[str, list[dict]]:
    with _connect(url) as conn:
        cur = conn.execute(
            "select rule_id, dataset, severity, success, failing_count, examples, outcome, kind "
            "from audit.rule_result where run_id = %s",
            (run_id,),
        )
        names = [d.name for d in cur.description]
        out: dict[str, list[dict]] = defaultdict(list)
        for r in cur:
            row = dict(zip(names, r, strict=True))
            out[row["rule_id"]].append(row)
    return out


def publication(url: str, run_id: str) -> dict[str, dict]:
    with _connect(url) as conn:
        cur = conn.execute("select * from audit.publication where run_id = %s", (run_id,))
        names = [d.name for d in cur.description]
        return {r[names.index("dataset_id")]: dict(zip(names, r, strict=True)) for r in cur}


def failed(res: dict[str, list[dict]], rule_id: str) -> list[dict]:
    return [r for r in res.get(rule_id, []) if not r["success"]]


def report(settings) -> str:
    return (settings.reports / "audit" / "index.html").read_text(encoding="utf-8")


def report_row(html: str, rule_id: str) -> str:
    m = re.search(rf'<tr class="[a-z]*" data-rule="{rule_id}" data-outcome="([a-z_]+)"', html)
    assert m, f"{rule_id} is not in the report's rule table"
    return m.group(1)


# ---- the clean warehouse ---------------------------------------------------------------------


@pytest.mark.rules(
    "PUB-001",
    "PUB-002",
    "REC-001",
    "REC-002",
    "REC-003",
    "SER-001",
    "BEL-003",
    "ACC-001",
    "LRA-001",
    "REC-005",
    "REC-004",
    "ANG-003",
)
def test_clean_data_passes_every_fatal_check_and_publishes_everything(prepared):
    settings, run = prepared["base"]
    res = results(settings.require_url(), "base")

    # Then every GX rule ran, no fatal one failed, and nothing is blocked
    gx = [r for rows in res.values() for r in rows if r["kind"] == "gx"]
    assert gx and not [r for r in gx if r["severity"] == "fatal" and not r["success"]]
    for rule_id in (
        "PUB-001",
        "PUB-002",
        "REC-001",
        "REC-002",
        "REC-003",
        "SER-001",
        "BEL-003",
        "ACC-001",
        "LRA-001",
        "REC-005",
        "REC-004",
        "ANG-003",
    ):
        assert res[rule_id] and all(r["success"] for r in res[rule_id]), (rule_id, res[rule_id])
    pubs = publication(settings.require_url(), "base")
    assert set(pubs) == {p["meta"]["dataset_id"] for p in prepared["pubs"].values()}
    assert not [d for d, p in pubs.items() if p["status"] == "blocked"], run
    assert run["outcome"]["status"] == "success"


@pytest.mark.rules("PEG-001", "PEG-003")
def test_row_rules_have_a_result_per_run_with_their_examples(prepared):
    # Given the sample's NIPs that are 17 digits or carry TMT month 13 (quarantined on landing)
    settings, _ = prepared["base"]
    res = results(settings.require_url(), "base")

    # Then audit.rule_result holds each row rule per dataset, with the failing rows and examples
    for rule_id in ("PEG-001", "PEG-003"):
        rows = failed(res, rule_id)
        assert rows and rows[0]["kind"] == "row" and rows[0]["failing_count"] > 0, rule_id
        example = rows[0]["examples"][0]
        assert set(example) == {"file", "row", "column", "provided", "expected"} and example["column"] == "nip"
    with _connect(settings.require_url()) as conn:
        quarantined = _one(
            conn,
            "select count(distinct (file_id, row_number)) from audit.quarantine q "
            "join audit.source_file f using (file_id) where f.superseded_by is null "
            "and f.dataset = 'pegawai' and q.rule_id = 'PEG-003'",
        )[0]
    assert quarantined == sum(r["failing_count"] for r in failed(res, "PEG-003") if r["dataset"] == "pegawai")


# ---- reconciliations broken on purpose ----------------------------------------------------------


@pytest.mark.rules("REC-004")
def test_payroll_ten_percent_above_5_1_01_01_is_reported_with_provided_expected_difference(prepared):
    settings, _ = prepared["broken"]
    injected = prepared["injected"]["REC-004"]
    res = results(settings.require_url(), "broken")

    # Then REC-004 fails, its example gives what was paid, what was spent on 5.1.01.01 and the difference
    [row] = failed(res, "REC-004")
    assert row["severity"] == "warning" and row["failing_count"] == 1
    [example] = row["examples"]
    assert (example["opd"], example["periode"]) == (injected["opd"], injected["periode"])
    assert Decimal(example["provided"]) == injected["paid"]
    assert Decimal(example["expected"]) == injected["spm"]
    assert Decimal(example["difference"]) == injected["paid"] - injected["spm"]
    # and the report shows the same numbers in the reconciliation section
    html = report(settings)
    section = html[html.index('id="rec-REC-004"') : html.index('id="rec-REC-005"')]
    for value in (example["provided"], example["expected"], example["difference"], injected["periode"]):
        assert f">{value}<" in section
    # a warning: the datasets it touches are published, amber, with the note in their metadata
    pubs = publication(settings.require_url(), "broken")
    pay = pubs["ketepatan_pembayaran_penghasilan"]
    assert pay["status"] != "blocked" and pay["status_color"] == "amber"
    assert any(w.startswith("REC-004") for w in pay["warnings"])


@pytest.mark.rules("REC-001", "SER-001", "REC-002", "REC-003", "BEL-003", "PUB-001", "PUB-002")
def test_fatal_reconciliation_failures_block_only_the_publications_they_touch(prepared):
    settings, run = prepared["broken"]
    url = settings.require_url()
    res = results(url, "broken")
    for rule_id in ("REC-001", "SER-001", "REC-002", "REC-003", "BEL-003", "PUB-001", "PUB-002"):
        assert failed(res, rule_id), rule_id

    # Then exactly the touched datasets are blocked (red), with the failing rules as reasons
    pubs = publication(url, "broken")
    derived_from_sp2d = {
        p["meta"]["dataset_id"]
        for p in prepared["pubs"].values()
        if "realisasi_belanja" in p["meta"]["source_datasets"]
    }
    blocked = {"serapan_anggaran", "asn_jumlah", "ikm_layanan", "capaian_spm", "formasi_lowongan"} | derived_from_sp2d
    assert {d for d, p in pubs.items() if p["status"] == "blocked"} == blocked
    assert all(pubs[d]["status_color"] == "red" for d in blocked)
    assert all(p["status_color"] in ("green", "amber") for d, p in pubs.items() if d not in blocked)
    why = json.dumps(pubs["serapan_anggaran"]["reasons"])
    assert "REC-001" in why and "SER-001" in why and "BEL-003" in why
    assert "REC-002" in json.dumps(pubs["asn_jumlah"]["reasons"])
    assert "REC-003" in json.dumps(pubs["ikm_layanan"]["reasons"])
    assert run["outcome"]["status"] == "failed" and set(run["outcome"]["blocked"]) == blocked
    # a blocked dataset keeps its last good version (the clean run's v1), in the catalogue and the audit
    catalog = json.loads((settings.published / "catalog.json").read_text())["datasets"]
    assert {d: catalog[d]["version"] for d in blocked} == dict.fromkeys(blocked, "v1")
    assert {d: pubs[d]["version"] for d in blocked} == dict.fromkeys(blocked, "v1")

    # and the report says so: each rule failed, each dataset blocked with its reason
    html = report(settings)
    for rule_id in ("REC-001", "SER-001", "REC-002", "REC-003", "BEL-003", "PUB-001", "PUB-002"):
        assert report_row(html, rule_id) == "failed", rule_id
    for dataset_id in blocked:
        assert f'data-dataset="{dataset_id}" data-status="blocked" data-color="red"' in html


@pytest.mark.rules("SER-001", "REC-001", "REC-002", "REC-003")
def test_reconciliation_examples_give_provided_expected_and_difference(prepared):
    settings, _ = prepared["broken"]
    res = results(settings.require_url(), "broken")
    [ser] = failed(res, "SER-001")
    [drop] = ser["examples"]
    assert (drop["kode_opd"], drop["bulan"]) == (prepared["injected"]["SER-001"]["kode_opd"], 2)
    assert Decimal(drop["difference"]) == Decimal("-1")
    [rec1] = failed(res, "REC-001")
    # the published million too many, less what was added to the accepted SP2D (a duplicate, a trillion)
    assert Decimal(rec1["examples"][0]["difference"]) == prepared["injected"]["REC-001"]["difference"]
    [rec2] = failed(res, "REC-002")
    [asn] = [e for e in rec2["examples"] if e["periode"] == prepared["injected"]["REC-002"]["periode"]]
    assert Decimal(asn["provided"]) == prepared["injected"]["REC-002"]["provided"]
    assert Decimal(asn["difference"]) == Decimal(asn["provided"]) - Decimal(asn["expected"])
    [rec3] = failed(res, "REC-003")
    assert Decimal(rec3["examples"][0]["difference"]) == 3


@pytest.mark.rules("SER-002", "BEL-007")
def test_a_drop_by_a_refund_and_an_sp2d_of_unknown_jenis_are_warnings_not_blocks(prepared):
    # Given the clean run: every SP2D number names its jenis; SER-002 ran (the sample's own refunds may
    # drop a series: a warning, never a block)
    base = results(prepared["base"][0].require_url(), "base")
    assert base["SER-002"] and base["BEL-007"]
    assert all(r["success"] for r in base["BEL-007"])
    assert all(r["severity"] == "warning" for r in base["SER-002"])
    # When a line's cumulative drops by the refund booked that month, and an SP2D number names no jenis
    settings, _ = prepared["broken"]
    res = results(settings.require_url(), "broken")
    # Then both are reported as warnings with the row, and SER-001 (fatal) does not count the refund drop
    [ser2] = failed(res, "SER-002")
    assert ser2["severity"] == "warning"
    assert ser2["failing_count"] == sum(r["failing_count"] or 0 for r in failed(base, "SER-002")) + 1
    injected = prepared["injected"]["SER-002"]
    drops = [
        e
        for e in ser2["examples"]
        if (e["kode_opd"], e["kode_jenis_belanja"], e["bulan"])
        == (injected["kode_opd"], injected["kode_jenis_belanja"], 3)
    ]
    assert [Decimal(d["difference"]) for d in drops] == [Decimal("-5")] or ser2["failing_count"] > 5
    assert not [
        e
        for r in failed(res, "SER-001")
        for e in r["examples"]
        if (e["kode_opd"], e["kode_jenis_belanja"], e["bulan"])
        == (injected["kode_opd"], injected["kode_jenis_belanja"], 3)
    ]
    [bel7] = failed(res, "BEL-007")
    assert bel7["severity"] == "warning" and bel7["failing_count"] == 1
    assert bel7["examples"][0]["nomor_sp2d"] == "SP2D-TANPA-JENIS-1"


@pytest.mark.rules("LRA-001", "REC-005")
def test_the_lra_is_checked_on_its_own_and_against_the_opd_realisasi(prepared):
    settings, _ = prepared["broken"]
    res = results(settings.require_url(), "broken")

    # Then the parent of Belanja Pegawai no longer adds up, and Belanja Pegawai is twice the OPD SP2D
    [lra] = failed(res, "LRA-001")
    assert {e["akun"].upper() for e in lra["examples"]} == {"BELANJA OPERASI"}
    [rec] = failed(res, "REC-005")
    pegawai = [e for e in rec["examples"] if e["kode_rekening"] == "5.1.01"]
    assert pegawai and Decimal(pegawai[0]["expected"]) == Decimal(pegawai[0]["provided"]) * 2


@pytest.mark.rules("BEL-005", "BEL-006", "ANG-003", "LAY-005", "FOR-003", "SKP-002", "PUB-003")
def test_warnings_publish_amber_and_say_which(prepared):
    settings, _ = prepared["broken"]
    url = settings.require_url()
    res = results(url, "broken")
    base = results(prepared["base"][0].require_url(), "base")

    # Then each warning rule fails (more failing rows than on the clean data) ...
    for rule_id in ("BEL-005", "BEL-006", "ANG-003", "LAY-005", "FOR-003", "PUB-003"):
        now = sum(r["failing_count"] or 0 for r in failed(res, rule_id))
        before = sum(r["failing_count"] or 0 for r in failed(base, rule_id))
        assert now > before, rule_id
        assert all(r["severity"] == "warning" for r in res[rule_id])
    # (the sample's only OPD big enough for the SKP check may already miss the patterns: its figures change)
    skp = failed(res, "SKP-002")[0]["examples"]
    [mine] = [e for e in skp if e["opd"] == prepared["injected"]["SKP-002"]["opd"]]
    assert mine["provided"].startswith("SB 100.0, B 0.0") and mine["jumlah_pegawai"] >= 10

    # ... and the datasets they touch are published amber with the rule in audit.publication ...
    pubs = publication(url, "broken")
    for dataset_id, rule_id in (
        ("distribusi_skp", "SKP-002"),
        ("pendapatan_target_realisasi", "PUB-003"),
        ("kinerja_layanan", "LAY-005"),
    ):
        assert pubs[dataset_id]["status"] != "blocked" and pubs[dataset_id]["status_color"] == "amber", dataset_id
        assert any(w.startswith(rule_id) for w in pubs[dataset_id]["warnings"]), dataset_id
    # ... and in the metadata of the new version (a mart whose content did not change keeps its version)
    assert pubs["pendapatan_target_realisasi"]["version"] == "v2"
    meta = json.loads((settings.published / "catalog.json").read_text())["datasets"]["pendapatan_target_realisasi"]
    assert meta["version"] == "v2" and meta["validation"]["status_warna"] == "kuning"
    assert any(w.startswith("PUB-003: ") for w in meta["validation"]["catatan"])  # in Indonesian, no model name


@pytest.mark.rules("ACC-001")
def test_rows_that_do_not_add_up_block_every_dataset(prepared):
    settings, run = prepared["unbalanced"]
    res = results(settings.require_url(), "unbalanced")

    # Then ACC-001 fails on that file (read = loaded + quarantined + 1) and every dataset is blocked
    [acc] = failed(res, "ACC-001")
    [example] = acc["examples"]
    assert example["difference"] == 1 and example["provided"] == example["expected"] + 1
    pubs = publication(settings.require_url(), "unbalanced")
    assert {p["status"] for p in pubs.values()} == {"blocked"}
    assert all("ACC-001" in json.dumps(p["reasons"]) for p in pubs.values())
    assert report_row(report(settings), "ACC-001") == "failed"


# ---- completeness and freshness ---------------------------------------------------------------


@pytest.mark.rules("CMP-001", "CMP-002", "CMP-003")
def test_expected_submissions_are_on_time_late_missing_or_partial_and_never_green_when_not(prepared):
    settings, _ = prepared["base"]
    url = settings.require_url()
    with _connect(url) as conn:
        status = {
            (r[0], r[1], r[2]): (r[3], r[4])
            for r in conn.execute("select opd, dataset, periode, status, partial from audit.expected_submission")
        }
        history = _one(conn, "select count(*) from audit.expected_submission_history where run_id = 'base'")[0]
    # DINKES's roster came on 20 January 2024: on time for 2024, and 2023-12 never came
    assert status[("DINKES", "pegawai", "2024-01")] == ("on_time", False)
    assert status[("DINKES", "pegawai", "2023-12")] == ("missing", False)
    assert status[("BKPSDM", "kinerja_pegawai", "2024")][0] == "late"
    assert status[(prepared["picked"]["missing_opd"], "pengaduan", "2024-02")][0] == "missing"
    assert status[(prepared["picked"]["partial_opd"], "pegawai", "2024-06")][1] is True
    assert history == len(status)

    # the rules: missing, late and partial each fail with the submissions named
    res = results(url, "base")
    missing = failed(res, "CMP-001")[0]
    assert missing["failing_count"] == sum(1 for s, _ in status.values() if s == "missing")
    assert {"DINKES", prepared["picked"]["missing_opd"]} <= {e["opd"] for e in missing["examples"]}
    assert failed(res, "CMP-002")[0]["examples"][0]["difference"] > 0  # days late
    assert failed(res, "CMP-003")[0]["failing_count"] >= 1

    # a missing or partial source turns its datasets amber, never green
    pubs = publication(url, "base")
    assert pubs["asn_jumlah"]["status_color"] == "amber"
    # ... with the notes in Indonesian, each OPD by its name and the periods in words (satudata/publish/gate.py)
    assert any(
        "kiriman yang diharapkan belum diterima" in i and re.search(rf"(?:{'|'.join(BULAN)}) 20\d\d", i)
        for i in pubs["asn_jumlah"]["incomplete"]
    ), pubs["asn_jumlah"]["incomplete"]
    assert pubs["distribusi_skp"]["status_color"] == "amber"
    assert any("kiriman diterima terlambat" in i and "tahun 2024" in i for i in pubs["distribusi_skp"]["incomplete"]), (
        pubs["distribusi_skp"]["incomplete"]
    )
    # the scorecard's on-time / complete figures come from the same expectations
    with _connect(url) as conn:
        scored = _one(
            conn,
            "select sum(jumlah_kiriman_diharapkan), sum(jumlah_kiriman_tepat_waktu) from marts.pub_skor_kualitas_data",
        )
    assert scored == (len(status), sum(1 for s, _ in status.values() if s == "on_time"))


def test_every_publication_records_its_provenance_and_light(prepared):
    settings, _ = prepared["base"]
    with _connect(settings.require_url()) as conn:
        rows = conn.execute(
            "select dataset_id, status, status_color, content_hash, git_commit, dbt_manifest_hash, "
            "rule_catalogue_hash from audit.publication where run_id = 'base'"
        ).fetchall()
        run = _one(conn, "select rule_catalogue_hash, registry_hash from audit.pipeline_run where run_id = 'base'")
    assert rows
    for dataset_id, status, color, content, commit, manifest, rules in rows:
        assert color in ("green", "amber") and commit and manifest and rules == run[0], dataset_id
        assert status in ("published", "unchanged") and content, dataset_id
    assert run[1] is not None  # the registry the completeness was checked against


def test_the_report_lists_every_rule_of_the_catalogue(prepared):
    settings, _ = prepared["broken"]
    html = report(settings)
    for rule_id in catalogue():
        report_row(html, rule_id)
    assert "../rules.html" in html and (settings.reports / "rules.html").exists()
    assert "data_docs/index.html" in html
