"""The sample-data generator: deterministic, laid out as file drops, realistic where it matters.

The files are read back here with a small reader of its own (not the project's extract code),
so these tests check the generator, not the loader.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from satudata.datasets import DATASETS
from satudata.sample import generate
from satudata.sample.exports import TWIN_DIR, twin_path
from satudata.sample.reference import read_seed

SEED_CITIES = ("18.72", "53.71", "62.71", "72.71")
BULAN = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maret": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5,
    "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8, "agt": 8, "agu": 8, "september": 9, "sep": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "desember": 12, "des": 12,
}  # fmt: skip


# ---- a small reader for what the generator writes ---------------------------------------------


def _key(text: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def _lookup(dataset: str) -> dict[str, str]:
    table = {}
    for col in DATASETS[dataset].columns:
        table[_key(col.name)] = col.name
        for alias in col.aliases:
            table.setdefault(_key(alias), col.name)
    return table


def _raw_rows(path: Path) -> tuple[list[list[object]], str]:
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
        return rows, "xlsx"
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter)), delimiter


def _number(value: object, kind: str) -> Decimal | None:
    if value is None or isinstance(value, (int, float)):
        return None if value is None else Decimal(str(value))
    text = str(value).strip()
    if text in ("", "-"):
        return None
    unit = 1
    if m := re.fullmatch(r"(.+) (M|Jt)", text):
        text, unit = m[1], 10**9 if m[2] == "M" else 10**6
        kind = ";"
    if text.startswith("Rp") or kind == ";":
        text = text.removeprefix("Rp").strip().replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    return Decimal(text) * unit


def _date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", text):
        return date(int(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{1,2}) ([A-Za-z]+) (\d{4})", text):
        return date(int(m[3]), BULAN[m[2].lower()], int(m[1]))
    raise ValueError(f"not a date: {value!r}")


def _periode(value: object) -> str:
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return text
    if m := re.fullmatch(r"(\d{2})/(\d{4})", text):
        return f"{m[2]}-{m[1]}"
    name, year = text.split()
    return f"{year}-{BULAN[name.lower()]:02d}"


def read_table(path: Path, dataset: str) -> tuple[list[dict], dict | None]:
    """(rows as canonical column -> typed value, the trailing JUMLAH row if any)."""
    raw, kind = _raw_rows(path)
    lookup = _lookup(dataset)
    best, best_i = {}, 0
    for i, row in enumerate(raw[:8]):
        found = {lookup[_key(h)]: j for j, h in enumerate(row) if _key(h) in lookup}
        if i and raw[i - 1]:  # a two-row header: the group row above names the other columns
            above = {lookup[_key(h)]: j for j, h in enumerate(raw[i - 1]) if _key(h) in lookup}
            found = {**above, **found} if len(found) > 3 else found
        if len(found) > len(best):
            best, best_i = found, i
    types = {c.name: c.type for c in DATASETS[dataset].columns}
    rows, total = [], None
    for row in raw[best_i + 1 :]:
        if not any(v not in (None, "") for v in row):
            continue
        is_total = str(row[0]).strip().upper() == "JUMLAH"
        rec: dict[str, object] = {}
        for col, j in best.items():
            v = row[j] if j < len(row) else None
            if is_total and j == 0:
                continue
            t = types[col]
            if t in ("numeric", "integer"):
                rec[col] = _number(v, kind)
            elif t == "date":
                rec[col] = _date(v)
            elif col == "periode":
                rec[col] = _periode(v) if v not in (None, "") else None
            else:
                rec[col] = None if v in (None, "") else str(v)
        if is_total:
            total = rec
        else:
            rows.append(rec)
    return rows, total


def twin_rows(twin: Path, dataset: str) -> list[dict]:
    """The rows of a file the generator wrote in an export layout, from its canonical twin (the export
    layouts themselves are read by the profiles: tests/unit/test_sample_exports.py)."""
    types = {c.name: c.type for c in DATASETS[dataset].columns}
    rows = []
    with twin.open(encoding="utf-8", newline="") as f:
        for line in csv.DictReader(f):
            if line.pop("_disisihkan"):
                continue
            line.pop("_baris")
            rec: dict[str, object] = {}
            for col, v in line.items():
                if types[col] in ("numeric", "integer"):
                    rec[col] = Decimal(v) if re.fullmatch(r"-?\d+(\.\d+)?", v) else (v or None)  # e: a spoiled answer
                elif types[col] == "date":
                    rec[col] = _date(v)
                else:
                    rec[col] = v or None
            rows.append(rec)
    return rows


def files_of(landing: Path, dataset: str | None = None) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file() and (dataset is None or p.parts[-2] == dataset))


# ---- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    landing = tmp_path_factory.mktemp("a") / "landing"
    return landing, generate(landing, scale="small", seed=7, tahun=2024)


@pytest.fixture(scope="module")
def read_back(small: tuple[Path, dict]) -> tuple[dict, list]:
    """Every file read once: rows per (pemda, OPD, dataset), and (path, rows, JUMLAH row) per file."""
    landing, _ = small
    tables: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    per_file = []
    for path in files_of(landing):
        kode, opd, dataset = path.relative_to(landing).parts[:3]
        twin = twin_path(landing, path)
        rows, total = (twin_rows(twin, dataset), None) if twin.exists() else read_table(path, dataset)
        tables[(kode, opd, dataset)] += rows
        per_file.append((path, rows, total))
    return tables, per_file


@pytest.fixture(scope="module")
def tables(read_back: tuple[dict, list]) -> dict[tuple[str, str, str], list[dict]]:
    return read_back[0]


# ---- tests -------------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(small, tmp_path):
    # Given a small set generated with seed 7
    landing_a, _ = small
    # When the same set is generated again elsewhere
    landing_b = tmp_path / "landing"
    generate(landing_b, scale="small", seed=7, tahun=2024)

    # Then every file has the same path and the same sha256, and so has every canonical twin
    def digests(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files_of(root)}

    a, b = digests(landing_a), digests(landing_b)
    assert a.keys() == b.keys()
    assert a == b
    twins_a, twins_b = digests(landing_a.parent / TWIN_DIR), digests(landing_b.parent / TWIN_DIR)
    assert twins_a and twins_a == twins_b


def test_files_follow_the_landing_layout(small):
    # Given the small set
    landing, result = small
    opd = defaultdict(set)
    for r in read_seed("opd"):
        opd[r["kode_pemda"]].add(r["singkatan"])
    # When listing its files
    files = files_of(landing)
    # Then each is <kode_pemda>/<SINGKATAN>/<dataset>/<name>.csv|.xlsx|.xls with known pemda, OPD and dataset
    assert len(files) == result["total_files"]
    for path in files:
        kode, singkatan, dataset, name = path.relative_to(landing).parts
        assert kode in SEED_CITIES
        assert singkatan in opd[kode]
        assert dataset in DATASETS
        assert path.suffix in (".csv", ".xlsx", ".xls"), name


def test_every_dataset_is_present_for_every_seed_city(small):
    # Given the small set
    landing, result = small
    # When grouping files by pemda
    present = {(p.relative_to(landing).parts[0], p.parts[-2]) for p in files_of(landing)}
    # Then all 14 datasets are there for each of the four seed cities, with rows
    for kode in SEED_CITIES:
        for dataset in DATASETS:
            assert (kode, dataset) in present, (kode, dataset)
    assert all(result["rows"][d] > 0 for d in DATASETS)


def test_the_set_has_the_file_variants_the_standard_says_must_be_read(small):
    # Given the small set
    landing, result = small
    files = files_of(landing)
    heads = [p.read_bytes()[:400] for p in files if p.suffix == ".csv"]
    # Then it has both formats, both delimiters, BOM and Windows-1252 files, Indonesian numbers
    assert result["formats"]["csv"] > 0 and result["formats"]["xlsx"] > 0
    assert any(h.startswith(b"\xef\xbb\xbf") for h in heads)
    assert any(b";" in h.split(b"\n")[0] for h in heads)
    assert any(b"\x92" in p.read_bytes() for p in files if p.suffix == ".csv")  # cp1252 apostrophe
    texts = [p.read_text("utf-8-sig", errors="replace") for p in files if p.suffix == ".csv"]
    assert any(re.search(r"\d{1,3}(\.\d{3})+,\d{2}", t) for t in texts)  # 1.234.567,89
    assert any("Rp " in t for t in texts)
    assert any(re.search(r"\d{1,2} (September|Oktober|Desember) 2024", t) for t in texts)
    assert any(re.search(r"\d{8} \d{6} [12] \d{3}", t) for t in texts)  # NIP with spaces
    assert any(re.search(r"\d+,\d\d (M|Jt)", t) for t in texts) or any(p.parts[-2] == "lra" for p in files)


def test_nip_structure_is_valid_for_pns_and_pppk(tables):
    # Given the rosters of every OPD
    rows = [r for (_k, _o, d), rs in tables.items() if d == "pegawai" for r in rs]
    checked = invalid = 0
    # When checking the NIP of each PNS/CPNS and PPPK row
    for r in rows:
        status, nip = r["status_kepegawaian"], (r["nip"] or "").replace(" ", "")
        if status not in ("PNS", "CPNS", "PPPK"):
            continue
        checked += 1
        ok = len(nip) == 18 and nip.isdigit() and nip[14] in "12"
        if ok:
            try:
                date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))  # birth date
            except ValueError:
                ok = False
        if ok and status == "PPPK":
            ok = 2015 <= int(nip[8:12]) <= 2024 and 1 <= int(nip[12:14]) <= 99  # appointment year, contract
        elif ok:
            ok = 1970 <= int(nip[8:12]) <= 2024 and 1 <= int(nip[12:14]) <= 12  # TMT CPNS year + month
        invalid += not ok
    # Then all are valid except the deliberate bad rows (at most 0.5%, and some exist)
    assert checked > 1000
    assert 0 < invalid <= 0.005 * checked
    # And NON_ASN rows may have no NIP, and the golongan fits the status
    assert any(r["nip"] is None for r in rows if r["status_kepegawaian"] == "NON_ASN")
    pns = {r["golongan"] for r in rows if r["status_kepegawaian"] == "PNS"}
    assert pns <= {f"{a}/{b}" for a in ("I", "II", "III", "IV") for b in "abcde"}


def test_deliberate_bad_rows_are_a_small_share(small):
    # Given what the generator reports
    _, result = small
    rows, bad = result["rows"], result["bad_rows"]
    # Then there are some rows to quarantine, and at most 0.5% in any dataset
    assert sum(bad.values()) > 0
    for dataset, n in rows.items():
        assert bad.get(dataset, 0) <= 0.005 * n + 1, dataset


def test_rows_name_the_opd_of_their_folder(tables):
    # Given the OPD seed
    code_of = {(r["kode_pemda"], r["singkatan"]): r["kode_opd"] for r in read_seed("opd")}
    # Then every kode_opd in a row is its folder's SIPD code or singkatan (or left out)
    for (kode, opd, dataset), rows in tables.items():
        allowed = {None, opd, code_of[(kode, opd)]}
        assert {r.get("kode_opd") for r in rows} <= allowed, (kode, opd, dataset)


def test_salary_runs_equal_the_sp2d_on_5_1_01_01_that_pay_them(tables):
    # Given salary runs (GAJI, THR, GAJI_13) and SP2D of each OPD
    compared = early = 0
    for (kode, opd, dataset), runs in tables.items():
        if dataset != "pembayaran_penghasilan":
            continue
        gaji = [r for r in runs if r["jenis_penghasilan"] in ("GAJI", "THR", "GAJI_13")]
        assert {r["jenis_penghasilan"] for r in gaji} == {"GAJI", "THR", "GAJI_13"}, (kode, opd)
        # When each SP2D on 5.1.01.01 is matched as REC-004 does: to the first salary run paid on or after it
        # whose periode is its own month or the next, else to its own month
        paid: dict[str, Decimal] = defaultdict(Decimal)
        for r in tables.get((kode, opd, "realisasi_belanja"), []):
            d = r["tanggal_sp2d"]
            if not r["kode_rekening"].startswith("5.1.01.01") or d.year != 2024:
                continue
            months = {f"{d:%Y-%m}", f"{d.year + d.month // 12}-{d.month % 12 + 1:02d}"}
            after = sorted(
                ((run["tanggal_bayar"] or run["tanggal_jatuh_tempo"]), run["periode"])
                for run in gaji
                if (run["tanggal_bayar"] or run["tanggal_jatuh_tempo"]) >= d and run["periode"] in months
            )
            periode = after[0][1] if after else f"{d:%Y-%m}"
            early += periode > f"{d:%Y-%m}"
            paid[periode] += r["nilai"]
        # Then the salary of each periode equals the SP2D that pay it within 1%
        due: dict[str, Decimal] = defaultdict(Decimal)
        for run in gaji:
            due[run["periode"]] += run["nilai_bruto"]
        for periode, value in due.items():
            compared += 1
            assert abs(paid[periode] - value) <= Decimal("0.01") * value, (kode, opd, periode)
    assert compared > 100
    assert early > 100  # most salary SP2D are dated in the month before their periode


def test_lra_belanja_equals_the_sum_of_opd_realisasi(tables, small):
    _, result = small
    for kode in SEED_CITIES:
        # Given the accepted SP2D rows of a pemda (nilai > 0, dated in the year), as realisasi: LS and GU,
        # less refunds (`/CP/`); UP and TU are advances (Permendagri 77/2020)
        total = sum(
            -r["nilai"] if "/CP/" in r["nomor_sp2d"] else 0 if re.search("/(UP|TU)/", r["nomor_sp2d"]) else r["nilai"]
            for (k, _o, d), rows in tables.items()
            if k == kode and d == "realisasi_belanja"
            for r in rows
            if r["nilai"] > 0 and r["tanggal_sp2d"].year == 2024
        )
        assert any(
            "/CP/" in r["nomor_sp2d"]
            for (k, _o, d), rows in tables.items()
            if k == kode and d == "realisasi_belanja"
            for r in rows
        )
        # When reading the LRA the pemda's BPKAD submitted
        lra = tables[(kode, "BPKAD", "lra")]
        belanja = next(r for r in lra if r["akun"].strip().upper() == "BELANJA DAERAH")
        # Then its Belanja realisasi equals that sum (when shown with a unit suffix, to 0.01 of the unit)
        assert total == result["totals"][kode]["realisasi_belanja"]
        assert abs(belanja["realisasi"] - total) <= Decimal("0.005") * _lra_unit(kode, result)


def _lra_unit(kode: str, result: dict) -> Decimal:
    """The unit the LRA of a pemda is shown in (1 when written in full rupiah)."""
    landing = Path(result["landing"])
    path = files_of(landing / kode / "BPKAD" / "lra")[0]
    raw, _ = _raw_rows(path)
    text = " ".join(str(v) for row in raw for v in row if v is not None)
    return Decimal(10**9) if " M" in text else Decimal(10**6) if " Jt" in text else Decimal(1)


def test_jumlah_rows_equal_the_sum_of_the_rows_above(read_back):
    # Given every file that ends with a JUMLAH row
    _, per_file = read_back
    checked = 0
    for path, rows, total in per_file:
        if total is None:
            continue
        # Then each amount in it is the sum of the rows above
        for col, value in total.items():
            if isinstance(value, Decimal) and col not in ("tahun", "bulan"):
                checked += 1
                assert value == sum(r[col] for r in rows if r[col] is not None), (path, col)
    assert checked > 0
