"""The real DAG, through Airflow, on the generated sample (small scale) against a real PostgreSQL: the
published CSVs hold the sample's figures, recomputed here from the generated files without the pipeline.
The catalogue holds the datasets of section 6 of the OPD Data Standard, and every one of them has at least
one figure recomputed here by the rules of section 4 (and section 6 for small-cell suppression)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import psycopg
import pytest
import yaml

from satudata.config import REPO_ROOT
from satudata.publish import publishers
from satudata.sample import generate
from tests.conftest import make_settings, run_cli
from tests.integration import sample_files

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BPS = {"18.72": "1872", "62.71": "6271", "53.71": "5371", "72.71": "7271"}
SEEDS = REPO_ROOT / "dbt_project" / "seeds"  # reference tables versioned with the project (section 1)
# Section 6 of the standard, "Published datasets", phrase by phrase -> the dataset id that publishes it
SECTION_6 = {
    # issue 15 (later than the spec's "x golongan group x sex x education"): fewer dimensions per OPD so that
    # no suppressed cell can be recovered (docs/disclosure.md)
    "ASN count by OPD x status x sex": "asn_jumlah",
    "vacancies and vacancy proposals by OPD x eselon": "formasi_lowongan",
    "pay timeliness by OPD x month x jenis": "ketepatan_pembayaran_penghasilan",
    "budget absorption by OPD x month x jenis belanja": "serapan_anggaran",
    "realisasi of priority programs (stunting, kemiskinan ekstrem, inflasi, pengangguran)": "realisasi_program_prioritas",  # noqa: E501
    "revenue target vs realisasi": "pendapatan_target_realisasi",
    # v2 (issue 14): the early warning of realisasi against the anggaran kas, per OPD x month x priority tag
    "early warning: cumulative realisasi against the cumulative anggaran kas": "peringatan_anggaran_kas",
    "service performance by OPD x service x month": "kinerja_layanan",
    "IKM by OPD x service x semester": "ikm_layanan",
    "SPM achievement": "capaian_spm",
    "SKP distribution by OPD (suppressed)": "distribusi_skp",
    "a data-quality scorecard per OPD (on time, complete, valid)": "skor_kualitas_data",
    "IKM per unit (OPD) over all its respondents x semester": "ikm_unit",
    "non-ASN headcount (THL, PTT, Honorer, Kontrak) by OPD, apart from ASN (suppressed)": "non_asn_jumlah",
}
# the kinds of NON_ASN staff as files name them -> the published code (section 3.1, jenis_non_asn)
JENIS_NON_ASN = {
    "THL": "THL",
    "TENAGA HARIAN LEPAS": "THL",
    "PTT": "PTT",
    "PEGAWAI TIDAK TETAP": "PTT",
    "HONORER": "HONORER",
    "TENAGA HONORER": "HONORER",
    "KONTRAK": "KONTRAK",
    "TENAGA KONTRAK": "KONTRAK",
}
ASN = {"PNS", "CPNS", "PPPK", "PPPK_PARUH_WAKTU"}  # section 3.1; NON_ASN staff are not ASN
PPPK_GOLONGAN = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII".split()
SMALL_CELL = 5  # section 6: counts under 5 in person-based tables are suppressed
RINCIAN = 10  # docs/disclosure.md: the least people of a published group broken down (dbt var ambang_rincian)


@pytest.fixture(scope="module")
def run(tmp_path_factory, pg_server):
    tmp = tmp_path_factory.mktemp("sample")
    generate(tmp / "landing", scale="small", seed=2024)
    db = "t_sample_run"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {db} with (force)")
        conn.execute(f"create database {db}")
    # every publisher of the sample (one per seed city, satudata/publish/publishers.yaml), not the tests' Metro
    settings = make_settings(tmp, pg_server.rsplit("/", 1)[0] + f"/{db}", tmp / "landing", publisher=None)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SATUDATA_PUBLISHERS", str(publishers.CONFIG))
        proc = run_cli(settings, "run")
    assert (settings.reports / "run_summary.json").exists(), proc.stdout[-4000:] + proc.stderr[-4000:]
    summary = json.loads((settings.reports / "run_summary.json").read_text())
    return settings, proc, summary


def catalogues(settings) -> dict[str, dict]:
    """kode_pemda -> its publisher's catalog.json (published/<kode_pemda>/catalog.json)."""
    return {
        p.parent.name: json.loads(p.read_text())["datasets"]
        for p in sorted(settings.published_root.glob("*/catalog.json"))
    }


def published(settings, dataset_id: str) -> list[dict]:
    """The rows of a dataset as its publishers published them, every publisher's rows together."""
    rows: list[dict] = []
    for kode, datasets in catalogues(settings).items():
        if dataset_id in datasets:
            with (settings.published_root / kode / datasets[dataset_id]["path"] / "data.csv").open(
                encoding="utf-8"
            ) as f:
                rows += list(csv.DictReader(f))
    return rows


def quarantined(settings) -> set[tuple[str, int]]:
    """(landing path, row number) of every row the run rejected."""
    with psycopg.connect(settings.warehouse_url) as conn:
        rows = conn.execute(
            "select distinct sf.path, q.row_number from audit.row_finding q join audit.source_file sf "
            "using (file_id) where q.severity = 'fatal'"
        ).fetchall()
    return {(p, n) for p, n in rows}


def accepted_rows(settings, dataset: str, kode_pemda: str | None = None):
    rejected = quarantined(settings)
    for path in sample_files.files(settings.landing, dataset, kode_pemda):
        rel = path.relative_to(settings.landing).as_posix()
        for number, values in sample_files.rows(path, dataset):
            if (rel, number) not in rejected:
                yield path, values


@cache
def seed(name: str) -> tuple[dict, ...]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def where(settings, path) -> tuple[str, str, str]:
    """(BPS code of the pemda, SIPD code of the OPD, OPD folder) of a landing file: the folders name them."""
    kode_pemda, folder = path.relative_to(settings.landing).parts[:2]
    kode_opd = next(o["kode_opd"] for o in seed("opd") if (o["kode_pemda"], o["singkatan"]) == (kode_pemda, folder))
    return BPS[kode_pemda], kode_opd, folder


def code(value) -> str:
    return str(value or "").strip().upper()


def integer(value) -> int:
    return int(sample_files.number(value))


def percent(part, whole) -> Decimal | None:
    """part / whole x 100 to 2 decimals (half up), None when whole is 0 (section 4: ... x 100)."""
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), ROUND_HALF_UP) if whole else None


def realisasi_sp2d(v) -> Decimal:
    """What an SP2D line adds to realisasi (Permendagri 77/2020): LS and GU their nilai, a refund (`/CP/`,
    contra pos) minus it, UP and TU (advances to the bendahara) nothing. The sample's numbers name the jenis."""
    nilai, nomor = sample_files.number(v["nilai"]), str(v["nomor_sp2d"]).upper()
    return -nilai if "/CP/" in nomor else Decimal(0) if re.search(r"/(UP|TU)/", nomor) else nilai


def dec(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def shown(count: int) -> tuple[str, str]:
    """A person count as published (section 6): under the threshold it is emptied and flagged."""
    return ("", "true") if 0 < count < SMALL_CELL else (str(count), "false")


def as_published(got: dict, counts: dict) -> None:
    """Every cell is there; counts 1..4 are hidden; a count the publisher shows is the true one; the
    others are hidden too (complementary suppression, docs/disclosure.md), emptied and flagged."""
    assert set(got) == set(counts)
    assert all(got[k] in (shown(n), ("", "true")) for k, n in counts.items())
    assert all(got[k] == ("", "true") for k, n in counts.items() if 0 < n < SMALL_CELL)


def published_shape(counts: dict) -> dict:
    """The shape of a person-based table (docs/disclosure.md), from counts keyed (bps, kode_opd, period,
    part, category), `part` the rest of the group (the status of asn_jumlah): a group (OPD x period x part)
    under RINCIAN people is folded into LAINNYA; a LAINNYA still under RINCIAN is one row, category SEMUA;
    the other groups have a row for every category of the pemda-period, 0 when nobody has it."""
    group = Counter()
    for (bps, opd, period, part, _), n in counts.items():
        group[(bps, opd, period, part)] += n
    placed = Counter()
    for (bps, opd, period, part, category), n in counts.items():
        placed[(bps, opd if group[(bps, opd, period, part)] >= RINCIAN else "LAINNYA", period, part, category)] += n
    folded = Counter()
    for (bps, opd, period, part, _), n in placed.items():
        folded[(bps, opd, period, part)] += n
    categories = defaultdict(set)
    for bps, _, period, _, category in counts:
        categories[(bps, period)].add(category)
    out = {}
    for (bps, opd, period, part), total in folded.items():
        if total < RINCIAN:
            out[(bps, opd, period, part, "SEMUA")] = total
        else:
            for category in categories[(bps, period)]:
                out[(bps, opd, period, part, category)] = placed.get((bps, opd, period, part, category), 0)
    return out


def test_published_datasets_are_those_of_section_6(run):
    settings, _, _ = run
    found = catalogues(settings)
    assert set(found) == {p.kode_pemda for p in publishers.load()}  # one catalogue per publisher
    catalogue = {d for datasets in found.values() for d in datasets}
    assert set(catalogue) == set(SECTION_6.values())
    assert all(published(settings, dataset_id) for dataset_id in catalogue)
    # the contract page states the same list (docs/contracts.md, "Published dataset ids")
    listed = re.search(r"Published dataset ids: ([^.]+)\.", (REPO_ROOT / "docs" / "contracts.md").read_text())
    assert {i.strip() for i in listed.group(1).split(",")} == set(SECTION_6.values())


def test_run_succeeds_and_accounts_for_every_row(run):
    settings, proc, summary = run
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert summary["status"] == "success"
    assert summary["totals"]["files"] == len(list(p for p in settings.landing.rglob("*") if p.is_file()))
    for f in summary["files"]:
        assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"] + f["rows_set_aside"], f["path"]
    # a share of the files is in real export layouts (issue #13): read through their profiles
    profiles = {f["profile"] for f in summary["files"] if f.get("profile")}
    assert {"sipd_register_sp2d", "sipd_rincian_belanja", "eskm_huruf_p"} <= profiles, profiles
    assert summary["totals"]["rows_quarantined"] > 0  # the sample carries a few bad rows on purpose
    assert all(v["status"] == "published" for v in summary["datasets"].values()), summary["datasets"]
    for rel in ("published/index.html", "reports/run_summary.json", "reports/data_docs/index.html"):
        assert (settings.out / rel).exists(), rel


def test_run_output_is_short_and_names_the_airflow_log(run):
    """`satudata run` away from a terminal: a line per stage and the summary (issue 18: under 60 lines on
    success, where it printed about 6,000); Airflow's task logs are in the file it names at the end."""
    settings, proc, summary = run
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    shown = (proc.stdout + proc.stderr).splitlines()
    assert len(shown) < 60, "\n".join(shown)
    log_path = settings.reports / "run.log"
    assert f"Airflow task logs   {log_path}" in proc.stdout
    assert "muat / load" in proc.stdout and f"of {summary['totals']['files']}" in proc.stdout
    task_log = log_path.read_text(encoding="utf-8")
    assert len(task_log.splitlines()) > 10 * len(shown)
    for task in ("discover", "load", "transform", "validate", "publish", "report"):
        assert f"[DAG TEST] end task task_id={task}" in task_log, task
    # every file of the run is named in the task logs (landed, loaded or refused)
    assert [f["path"] for f in summary["files"] if f["path"] not in task_log] == []


@pytest.mark.parametrize("kode_pemda", ["18.72", "72.71"])
def test_anggaran_realisasi_total_per_pemda(run, kode_pemda):
    settings, _, _ = run
    expected = sum(realisasi_sp2d(v) for _, v in accepted_rows(settings, "realisasi_belanja", kode_pemda))
    rows = [r for r in published(settings, "serapan_anggaran") if r["kode_kabupaten_kota"] == BPS[kode_pemda]]
    assert sum(Decimal(r["realisasi_bulan"]) for r in rows) == expected


def test_kepegawaian_vacancies_per_pemda(run):
    settings, _, _ = run
    for kode_pemda, bps in BPS.items():
        expected = defaultdict(int)
        for _, v in accepted_rows(settings, "formasi_jabatan", kode_pemda):
            periode = sample_files.parse.parse_periode(v["periode"])
            expected[periode] += int(sample_files.number(v["kebutuhan"])) - int(sample_files.number(v["terisi"]))
        got = defaultdict(int)
        for r in published(settings, "formasi_lowongan"):
            if r["kode_kabupaten_kota"] == bps:
                got[r["periode"]] += int(r["kebutuhan"]) - int(r["terisi"])
        assert dict(got) == dict(expected), kode_pemda


def test_pelayanan_ikm_per_service_and_semester(run):
    settings, _, _ = run
    scores: dict[tuple, list[list[int]]] = defaultdict(list)
    for path, v in accepted_rows(settings, "survei_kepuasan", "18.72"):
        tanggal = sample_files.parse.parse_date(v["tanggal"])
        semester = 1 if tanggal.month <= 6 else 2
        scores[(path.parts[-3], str(v["kode_layanan"]).strip(), semester)].append(
            [int(sample_files.number(v[f"u{i}"])) for i in range(1, 10)]
        )
    published_ikm = {
        (r["kode_layanan"], int(r["semester"])): Decimal(r["ikm"])
        for r in published(settings, "ikm_layanan")
        if r["kode_kabupaten_kota"] == "1872"
    }
    assert scores, "no survey responses found in the sample"
    for (_, layanan, semester), responses in scores.items():
        nrr = [Decimal(sum(r[u] for r in responses)) / len(responses) for u in range(9)]
        ikm = (sum(nrr) / 9 * 25).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert published_ikm[(layanan, semester)] == ikm, (layanan, semester)


def test_pelayanan_ikm_per_unit_over_all_respondents(run):
    """ikm_unit: per OPD x semester, the NRR of each unsur over every respondent of the OPD (PermenPAN-RB
    14/2017), not the mean of its services' IKM."""
    settings, _, _ = run
    scores: dict[tuple, list[list[int]]] = defaultdict(list)
    for path, v in accepted_rows(settings, "survei_kepuasan", "18.72"):
        _, kode_opd, _ = where(settings, path)
        tanggal = sample_files.parse.parse_date(v["tanggal"])
        scores[(kode_opd, 1 if tanggal.month <= 6 else 2)].append(
            [int(sample_files.number(v[f"u{i}"])) for i in range(1, 10)]
        )
    got = {
        (r["kode_opd"], int(r["semester"])): (Decimal(r["ikm"]), int(r["jumlah_responden"]))
        for r in published(settings, "ikm_unit")
        if r["kode_kabupaten_kota"] == "1872"
    }
    assert scores
    expected = {}
    for key, responses in scores.items():
        nrr = [Decimal(sum(r[u] for r in responses)) / len(responses) for u in range(9)]
        expected[key] = ((sum(nrr) / 9 * 25).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), len(responses))
    assert got == expected


def test_kepegawaian_non_asn_count_per_kind(run):
    """non_asn_jumlah: NON_ASN staff per OPD x periode x kind, apart from ASN, small OPDs folded, small cells
    suppressed."""
    settings, _, _ = run
    counts = Counter()
    for path, v in accepted_rows(settings, "pegawai"):
        if code(v["status_kepegawaian"]) == "NON_ASN":
            bps, kode_opd, _ = where(settings, path)
            kind = JENIS_NON_ASN.get(str(v.get("jenis_non_asn") or "").strip().upper(), "TIDAK_DIKETAHUI")
            counts[(bps, kode_opd, sample_files.parse.parse_periode(v["periode"]), (), kind)] += 1
    got = {
        (r["kode_kabupaten_kota"], r["kode_opd"], r["periode"], (), r["jenis_non_asn"]): (
            r["jumlah_pegawai"],
            r["disupresi"],
        )
        for r in published(settings, "non_asn_jumlah")
    }
    # the kinds as the files name them (THL, Tenaga Harian Lepas, Honorer, Tenaga Kontrak, PTT) are all recognised;
    # at `small` scale a pemda has 4 to 6 NON_ASN a month: every OPD is folded, and the pemda's LAINNYA is not
    # broken down by kind (the unit test test_non_asn_per_jenis_terpisah_dari_asn shows kinds)
    assert {k[4] for k in counts} == {"THL", "HONORER", "KONTRAK", "PTT"}
    expected = published_shape(counts)
    assert {k[1] for k in expected} == {"LAINNYA"}
    as_published(got, expected)


def test_kepegawaian_asn_count_per_cell(run):
    """asn_jumlah: ASN per pemda x OPD x periode x status (CPNS with PNS, PPPK paruh waktu with PPPK) x sex, one
    person once per pemda x periode (section 3.1: one row per nip, periode), small groups folded, small cells
    suppressed (section 6, issue 15)."""
    settings, _, _ = run
    roster = {}
    for path, v in accepted_rows(settings, "pegawai"):
        status = code(v["status_kepegawaian"])
        if status in ASN:
            bps, kode_opd, _ = where(settings, path)
            periode = sample_files.parse.parse_periode(v["periode"])
            roster[(bps, periode, sample_files.parse.normalize_nip(v["nip"]))] = (kode_opd, status, v)
    counts = Counter()
    for (bps, periode, _), (kode_opd, status, v) in roster.items():
        status = "PNS" if status in ("PNS", "CPNS") else "PPPK"
        counts[(bps, kode_opd, periode, status, code(v["jenis_kelamin"]) or "TIDAK_DIKETAHUI")] += 1
    got = {
        (r["kode_kabupaten_kota"], r["kode_opd"], r["periode"], r["status_kepegawaian"], r["jenis_kelamin"]): (
            r["jumlah_pegawai"],
            r["disupresi"],
        )
        for r in published(settings, "asn_jumlah")
    }
    expected = published_shape(counts)
    assert any(n >= SMALL_CELL for n in expected.values()) and any(0 < n < SMALL_CELL for n in expected.values())
    assert any(k[1] == "LAINNYA" for k in expected) and any(k[1] != "LAINNYA" for k in expected)
    as_published(got, expected)
    # the disclosure control leaves counts to read: some cells of 5 or more people are shown
    assert any(v[1] == "false" and int(v[0]) >= SMALL_CELL for v in got.values())


def test_kepegawaian_skp_distribution_per_opd(run):
    """distribusi_skp: employees per OPD x predikat (the three below BAIK together) x tahun, one predikat per NIP
    per pemda x tahun, small OPDs folded, a complete grid, suppressed."""
    settings, _, _ = run
    below = {"BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"}
    skp = {}
    for path, v in accepted_rows(settings, "kinerja_pegawai"):
        bps, kode_opd, _ = where(settings, path)
        tahun = str(integer(v["tahun"]))
        predikat = code(v["predikat"])
        predikat = "DI_BAWAH_BAIK" if predikat in below else predikat or "TIDAK_DIKETAHUI"
        skp[(bps, tahun, sample_files.parse.normalize_nip(v["nip"]))] = (kode_opd, predikat)
    counts = Counter((bps, kode_opd, tahun, (), predikat) for (bps, tahun, _), (kode_opd, predikat) in skp.items())
    got = {
        (r["kode_kabupaten_kota"], r["kode_opd"], r["tahun"], (), r["predikat"]): (r["jumlah_pegawai"], r["disupresi"])
        for r in published(settings, "distribusi_skp")
    }
    expected = published_shape(counts)
    assert any(n >= SMALL_CELL for n in expected.values()) and any(0 < n < SMALL_CELL for n in expected.values())
    # at `small` scale a pemda's SKP table is one OPD of at least 10 people and LAINNYA, a 2 x 3 grid whose
    # small cells take the whole grid with them (docs/disclosure.md, "What the sample shows")
    as_published(got, expected)


def test_kepegawaian_pay_timeliness(run):
    """ketepatan_pembayaran_penghasilan: per OPD x periode x jenis, pay runs, paid on time (tanggal_bayar <=
    tanggal_jatuh_tempo, section 4), paid late and the days late."""
    settings, _, _ = run
    expected = defaultdict(lambda: [0, 0, 0, 0])
    for path, v in accepted_rows(settings, "pembayaran_penghasilan"):
        bps, kode_opd, _ = where(settings, path)
        key = (bps, kode_opd, sample_files.parse.parse_periode(v["periode"]), code(v["jenis_penghasilan"]))
        due, paid = (
            sample_files.parse.parse_date(v["tanggal_jatuh_tempo"]),
            sample_files.parse.parse_date(v["tanggal_bayar"]),
        )
        expected[key][0] += 1
        if paid is not None and paid <= due:
            expected[key][1] += 1
        elif paid is not None:
            expected[key][2] += 1
            expected[key][3] += (paid - due).days
    got = {
        (r["kode_kabupaten_kota"], r["kode_opd"], r["periode"], r["jenis_penghasilan"]): [
            int(r["jumlah_pembayaran"]),
            int(r["jumlah_tepat_waktu"]),
            int(r["jumlah_terlambat"]),
            int(r["total_hari_terlambat"]),
        ]
        for r in published(settings, "ketepatan_pembayaran_penghasilan")
    }
    assert 0 < sum(e[2] for e in expected.values()) < sum(e[0] for e in expected.values())
    assert got == dict(expected)


def test_pelayanan_requests_on_time_in_working_days(run):
    """kinerja_layanan: per OPD x service x month of entry, requests, finished, finished within the SLA in working
    days (section 4: Saturdays, Sundays and the holidays of the hari_libur seed excluded) and the share on time;
    open requests older than the SLA at the pemda's data cut-off (its latest date of entry or finish) are a
    backlog counted late."""
    settings, _, _ = run
    libur = {date.fromisoformat(r["tanggal"]) for r in seed("hari_libur")}

    def working_days(masuk: date, selesai: date) -> int:  # after masuk, up to and including selesai
        days = (masuk + timedelta(n) for n in range(1, (selesai - masuk).days + 1))
        return sum(1 for d in days if d.weekday() < 5 and d not in libur)

    sla = {}
    for path, v in accepted_rows(settings, "jenis_layanan"):
        sla[(path.parts[-4], path.parts[-3], code(v["kode_layanan"]))] = integer(v["waktu_penyelesaian_hari"])
    expected = defaultdict(lambda: [0, 0, 0, 0])  # requests, finished, finished on time, backlog past the SLA
    rows = list(accepted_rows(settings, "permohonan_layanan"))
    cutoff: dict[str, date] = {}
    for path, v in rows:
        for c in ("tanggal_masuk", "tanggal_selesai"):
            if (d := sample_files.parse.parse_date(v[c])) is not None:
                cutoff[path.parts[-4]] = max(cutoff.get(path.parts[-4], d), d)
    for path, v in rows:
        bps, kode_opd, _ = where(settings, path)
        layanan = code(v["kode_layanan"])
        masuk, selesai = (sample_files.parse.parse_date(v[c]) for c in ("tanggal_masuk", "tanggal_selesai"))
        counts = expected[(bps, kode_opd, layanan, str(masuk.month), str(masuk.year))]
        counts[0] += 1
        limit = sla[(path.parts[-4], path.parts[-3], layanan)]
        if code(v["status"]) == "SELESAI" and selesai is not None:
            counts[1] += 1
            counts[2] += working_days(masuk, selesai) <= limit
        elif code(v["status"]) in ("DITERIMA", "DIPROSES"):
            counts[3] += working_days(masuk, cutoff[path.parts[-4]]) > limit
    got = {
        (r["kode_kabupaten_kota"], r["kode_opd"], r["kode_layanan"], r["bulan"], r["tahun"]): [
            int(r["jumlah_permohonan"]),
            int(r["jumlah_selesai"]),
            int(r["jumlah_selesai_tepat_waktu"]),
            int(r["jumlah_tunggakan_lewat_sla"]),
            dec(r["persentase_tepat_waktu"]),
        ]
        for r in published(settings, "kinerja_layanan")
    }
    assert 0 < sum(c[2] for c in expected.values()) < sum(c[1] for c in expected.values())
    assert sum(c[3] for c in expected.values()) > 0  # the sample has a backlog
    assert got == {key: [*c, percent(c[2], c[1] + c[3])] for key, c in expected.items()}


def test_pelayanan_spm_achievement_per_indicator(run):
    """capaian_spm: per pemda x indicator x tahun, terlayani / sasaran x 100 (section 4) from the OPD that owns the
    indicator (in the sample each indicator is reported by its owner only), never a sum over OPD."""
    settings, _, _ = run
    reported = {}  # one figure per OPD x indicator x tahun, the later row wins
    for path, v in accepted_rows(settings, "capaian_spm"):
        bps, kode_opd, _ = where(settings, path)
        key = (bps, kode_opd, str(integer(v["tahun"])), code(v["kode_indikator"]))
        reported[key] = (integer(v["sasaran"]), integer(v["terlayani"]))
    owner = {}
    for (bps, kode_opd, tahun, indikator), (sasaran, terlayani) in reported.items():
        assert (bps, indikator, tahun) not in owner  # one OPD reports each indicator in the sample
        owner[(bps, indikator, tahun)] = [sasaran, terlayani, kode_opd]
    got = {
        (r["kode_kabupaten_kota"], r["kode_indikator"], r["tahun"]): [
            int(r["sasaran"]),
            int(r["terlayani"]),
            r["kode_opd_sumber"],
            dec(r["capaian_persen"]),
        ]
        for r in published(settings, "capaian_spm")
    }
    assert any(t < s for s, t, _ in owner.values())
    assert got == {key: [s, t, o, percent(t, s)] for key, (s, t, o) in owner.items()}


def test_anggaran_pendapatan_realisasi_per_month(run):
    """pendapatan_target_realisasi: per OPD x jenis pendapatan (4.x.yy) x month up to the pemda's last month,
    the month's realisasi, realisasi to date, the annual target (the latest one stated by that month, per
    rekening) and realisasi to date / target x 100."""
    settings, _, _ = run
    lines = defaultdict(dict)  # (bps, opd, tahun, jenis, rekening) -> bulan -> [target, realisasi]
    last_month = defaultdict(int)
    for path, v in accepted_rows(settings, "pendapatan"):
        bps, kode_opd, _ = where(settings, path)
        tahun, bulan, rekening = integer(v["tahun"]), integer(v["bulan"]), re.sub(r"\s", "", str(v["kode_rekening"]))
        month = lines[(bps, kode_opd, tahun, ".".join(rekening.split(".")[:3]), rekening)].setdefault(bulan, [0, 0])
        month[0] += sample_files.number(v["target"])
        month[1] += sample_files.number(v["realisasi"])
        last_month[(bps, tahun)] = max(last_month[(bps, tahun)], bulan)
    expected = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])  # target, realisasi bulan, to date
    for (bps, kode_opd, tahun, jenis, _), months in lines.items():
        to_date, target = Decimal(0), Decimal(0)
        for bulan in range(1, last_month[(bps, tahun)] + 1):
            target = months.get(bulan, [target])[0]
            to_date += months.get(bulan, [0, 0])[1]
            figures = expected[(bps, kode_opd, jenis, str(bulan), str(tahun))]
            figures[0] += target
            figures[1] += months.get(bulan, [0, 0])[1]
            figures[2] += to_date
    got = {
        (r["kode_kabupaten_kota"], r["kode_opd"], r["kode_jenis_pendapatan"], r["bulan"], r["tahun"]): [
            Decimal(r["target"]),
            Decimal(r["realisasi_bulan"]),
            Decimal(r["realisasi_kumulatif"]),
            dec(r["persentase_realisasi"]),
        ]
        for r in published(settings, "pendapatan_target_realisasi")
    }
    assert got == {key: [*f, percent(f[2], f[0])] for key, f in expected.items()}


def test_anggaran_priority_program_realisasi(run):
    """realisasi_program_prioritas: per OPD x tag x tahun, the pagu of the tagged lines of the latest versi
    (PERUBAHAN when the OPD has one for the year, else MURNI) and the realisasi on those lines (same OPD, sub
    kegiatan and rekening; LS and GU less refunds). A line with two tags counts under both."""
    settings, _, _ = run
    dpa = defaultdict(list)
    for path, v in accepted_rows(settings, "anggaran"):
        bps, kode_opd, _ = where(settings, path)
        dpa[(bps, kode_opd, integer(v["tahun"]))].append(v)
    pagu, tagged = defaultdict(Decimal), defaultdict(set)
    for (bps, kode_opd, tahun), rows in dpa.items():
        versi = "PERUBAHAN" if any(code(v["versi"]) == "PERUBAHAN" for v in rows) else "MURNI"
        for v in (v for v in rows if code(v["versi"]) == versi):
            for tag in {code(t) for t in re.split(r"[,;|/]", str(v["tagging"] or ""))} - {""}:
                pagu[(bps, kode_opd, tag, tahun)] += sample_files.number(v["pagu"])
                tagged[(bps, kode_opd, tahun, dotted(v["kode_sub_kegiatan"]), dotted(v["kode_rekening"]))].add(tag)
    realisasi = defaultdict(Decimal)
    for path, v in accepted_rows(settings, "realisasi_belanja"):
        bps, kode_opd, _ = where(settings, path)
        tahun = integer(v["tahun"])
        for tag in tagged.get((bps, kode_opd, tahun, dotted(v["kode_sub_kegiatan"]), dotted(v["kode_rekening"])), ()):
            realisasi[(bps, kode_opd, tag, tahun)] += realisasi_sp2d(v)
    got = {
        (r["kode_kabupaten_kota"], r["kode_opd"], r["program_prioritas"], int(r["tahun"])): [
            Decimal(r["pagu"]),
            Decimal(r["realisasi"]),
            dec(r["persentase_realisasi"]),
        ]
        for r in published(settings, "realisasi_program_prioritas")
    }
    assert {tag for (_, _, tag, _) in pagu} == {"STUNTING", "KEMISKINAN_EKSTREM", "INFLASI", "PENGANGGURAN"}
    assert got == {key: [p, realisasi[key], percent(realisasi[key], p)] for key, p in pagu.items()}


def dotted(value) -> str:
    return re.sub(r"\s", "", str(value or "")).rstrip(".")


def test_anggaran_kas_early_warning_per_opd_and_month(run):
    """peringatan_anggaran_kas (SEMUA): per OPD and month, the cumulative cash plan of the tahapan in force
    against the cumulative realisasi (LS + GU less refunds), and the band. The sample's PERUBAHAN takes
    effect on 16 September (stated) or 1 October (the default): June uses the MURNI plan, December the
    PERUBAHAN one. Anggaran kas labels the tahapan `Penetapan APBD` / `APBD-P`."""
    settings, _, _ = run
    tahapan = {"PENETAPAN APBD": "MURNI", "APBD-P": "PERUBAHAN", "MURNI": "MURNI", "PERUBAHAN": "PERUBAHAN"}
    kas = defaultdict(Decimal)
    for path, v in accepted_rows(settings, "anggaran_kas"):
        bps, kode_opd, _ = where(settings, path)
        kas[(bps, kode_opd, tahapan[code(v["versi"])], integer(v["bulan"]))] += sample_files.number(v["rencana"])
    paid = defaultdict(Decimal)
    for path, v in accepted_rows(settings, "realisasi_belanja"):
        bps, kode_opd, _ = where(settings, path)
        paid[(bps, kode_opd, int(str(v["nomor_sp2d"]).split("/")[-2]))] += realisasi_sp2d(v)  # .../M/<month>/<year>
    rows = [r for r in published(settings, "peringatan_anggaran_kas") if r["program_prioritas"] == "SEMUA"]
    got = {(r["kode_kabupaten_kota"], r["kode_opd"], int(r["bulan"])): r for r in rows}
    bands = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    kuning, merah = Decimal(bands["ambang_kas_kuning_persen"]), Decimal(bands["ambang_kas_merah_persen"])
    assert {(r["ambang_kuning_persen"], r["ambang_merah_persen"]) for r in rows} == {(str(kuning), str(merah))}
    opds = {(bps, kode_opd) for bps, kode_opd, _, _ in kas}
    assert opds == {(bps, kode_opd) for bps, kode_opd, _ in got}
    statuses = set()
    for bps, kode_opd in sorted(opds):
        for bulan, versi in ((6, "MURNI"), (12, "PERUBAHAN")):
            rencana = sum(kas[(bps, kode_opd, versi, m)] for m in range(1, bulan + 1))
            realisasi = sum(paid[(bps, kode_opd, m)] for m in range(1, bulan + 1))
            row = got[(bps, kode_opd, bulan)]
            status = (
                "TANPA_RENCANA"
                if not rencana
                else "MERAH"
                if realisasi < merah / 100 * rencana
                else "KUNING"
                if realisasi < kuning / 100 * rencana
                else "HIJAU"
            )
            assert (
                row["versi_kas"],
                Decimal(row["rencana_kumulatif"]),
                Decimal(row["realisasi_kumulatif"]),
                dec(row["persentase_terhadap_rencana"]),
                row["status_peringatan"],
            ) == (versi, rencana, realisasi, percent(realisasi, rencana), status), (bps, kode_opd, bulan)
            statuses.add(status)
    # the sample shows the bands: some OPD behind its plan, some on track
    assert {"HIJAU", "MERAH"} <= statuses or {"HIJAU", "KUNING"} <= statuses, statuses
    # and every priority tag has its own series
    tags = {r["program_prioritas"] for r in published(settings, "peringatan_anggaran_kas")}
    assert tags == {"SEMUA", "STUNTING", "KEMISKINAN_EKSTREM", "INFLASI", "PENGANGGURAN"}


@pytest.mark.rules("KAS-003")
def test_anggaran_kas_off_its_pagu_is_reported_not_blocked(run):
    # Given the sample's anggaran kas, where about one line in 200 plans a million less than its pagu
    settings, _, summary = run
    with psycopg.connect(settings.warehouse_url) as conn:
        [(severity, success, count, examples)] = conn.execute(
            "select severity, success, failing_count, examples from audit.rule_result where rule_id = 'KAS-003'"
        ).fetchall()
    # Then KAS-003 reports those lines, a million short each, as a warning ...
    assert (severity, success) == ("warning", False) and count > 0
    assert {Decimal(str(e["difference"])) for e in examples} == {Decimal("-1000000")}
    # ... and the early warning built on the anggaran kas is published all the same
    assert summary["datasets"]["peringatan_anggaran_kas"]["status"] == "published"


def test_data_quality_valid_rows_per_opd(run, tmp_path):
    """skor_kualitas_data: per OPD, the files it sent, the rows read from them, the rows quarantined, the files
    refused, and valid % = rows loaded / (rows read - rows set aside) x 100. A file is counted once per content:
    the same bytes again in the same pemda x OPD x dataset are not a new file (landing is by content hash). Rows
    read are counted with our own reader; which rows are invalid is the warehouse's decision (its rule catalogue), so
    that is checked against the rows the sample generator spoiled on purpose, in total. The sample has no
    source registry, so nothing is expected: complete % and on time % must stay empty, not 0 or 100."""
    settings, _, summary = run
    rejected = quarantined(settings)
    expected = defaultdict(lambda: [0, 0, 0, set(), 0])  # files, rows read, quarantined, datasets, set aside
    seen = set()
    for path in sorted(p for p in settings.landing.rglob("*") if p.suffix in (".csv", ".xlsx", ".xls")):
        bps, kode_opd, _ = where(settings, path)
        dataset = path.parts[-2]
        content = (bps, kode_opd, dataset, hashlib.sha256(path.read_bytes()).digest())
        if content in seen:
            continue
        seen.add(content)
        rel = path.relative_to(settings.landing).as_posix()
        numbers = [n for n, _ in sample_files.rows(path, dataset)]
        figures = expected[(bps, kode_opd)]
        figures[0] += 1
        aside = sample_files.set_aside(path, dataset)  # read, and set aside as not lines (JUMLAH, parents...)
        figures[1] += len(numbers) + aside
        figures[2] += sum((rel, n) in rejected for n in numbers)
        figures[3].add(dataset)
        figures[4] += aside
    refused = Counter(
        where(settings, settings.landing / f["path"])[:2] for f in summary["files"] if f["status"] == "rejected"
    )
    got = defaultdict(lambda: [0, 0, 0, 0, [], 0])  # a run straddling midnight at a month's end gives two rows
    for r in published(settings, "skor_kualitas_data"):
        figures = got[(r["kode_kabupaten_kota"], r["kode_opd"])]
        for i, column in enumerate(("jumlah_file", "baris_dibaca", "baris_karantina", "jumlah_file_ditolak")):
            figures[i] += int(r[column])
        figures[4].append(
            (dec(r["persentase_valid"]), r["persentase_lengkap"], r["persentase_tepat_waktu"], int(r["jumlah_dataset"]))
        )
        figures[5] += int(r["baris_disisihkan"])
    assert got.keys() == expected.keys()
    for key, (files, read, bad, datasets, aside) in expected.items():
        assert got[key][:4] == [files, read, bad, refused[key]] and got[key][5] == aside, key
        if len(got[key][4]) == 1:  # valid = loaded / the rows that are lines (read - set aside)
            lines = read - aside
            assert got[key][4] == [(percent(lines - bad, lines), "", "", len(datasets))], key
    # the same files again, and what it spoiled on purpose
    sample = generate(tmp_path / "landing", scale="small", seed=2024)
    assert sum(f[2] for f in got.values()) == sum(sample["bad_rows"].values()) > 0
