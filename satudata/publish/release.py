"""Publish a dataset as a new version: data.csv, datapackage.json (Frictionless), metadata.json
(Satu Data Indonesia), and keep published/catalog.json listing the current version of each.

    published/
      index.html                    the publishers (satudata/publish/run.py)
      <kode_pemda>/                 one publisher (satudata/publish/publishers.yaml): its rows only
        catalog.json                current version of each dataset (+ the last run's decision)
        catalog.jsonld              DCAT-AP catalogue of the same (satudata/publish/dcat.py)
        index.html                  the public catalogue page (satudata/publish/catalog_page.py)
        <dataset_id>/versions.json  every version with its hashes and status, and the events
        <dataset_id>/v<n>/          data.csv, datapackage.json, metadata.json (never changed again)

The functions here work on one publisher's folder: `settings.published` of `settings.for_publisher(kode)`.

Rules:
- Publishing reads only `marts.pub_*` tables that passed the gate (satudata/publish/gate.py).
- Person-based tables get small-cell suppression, then every outgoing table goes through the
  personal-data gate (satudata/publish/pii.py) before a byte is written; a finding blocks it.
- A new version only when the data or its definition (schema, descriptions) changed; earlier
  versions stay; a version appears whole or not at all (written aside, then renamed); a blocked
  or failed dataset keeps its last good version. A version notes which periods it changed, added
  or dropped against the one before (`perubahan` in metadata.json, `changes` in versions.json):
  a backfill of a past month says so.
- catalog.json is the commit point: a new version's folder is written first, then the catalogue
  points at it, then versions.json records it. A publisher killed in between leaves the catalogue
  on the last good version; the next publication removes a folder the catalogue never pointed at,
  and records a version the catalogue points at but versions.json misses (`recover`).
- `revert` makes an earlier version current again; the version reverted from is withdrawn, so a
  later run that produces the same content again does not silently re-publish it.
- CSV: UTF-8, comma, ISO dates, dot decimals, header row; text that a spreadsheet would run as a
  formula is neutralised as OWASP recommends (`safe_cell`), numbers are never changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import math
import os
import re
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from satudata.config import Settings
from satudata.datasets import DATASETS
from satudata.publish import disclosure, gate, ledger, pii, plausibility
from satudata.publish.publishers import ZONES, Publisher
from satudata.publish.tables import DEFAULT_TIME_ZONE, ZONE_LABEL, local_time, read_table  # noqa: F401
from satudata.rules import dbt_vars
from satudata.warehouse import connect

log = logging.getLogger(__name__)

PG_TO_TABLE_SCHEMA = {
    "text": "string",
    "character varying": "string",
    "character": "string",
    "integer": "integer",
    "bigint": "integer",
    "smallint": "integer",
    "numeric": "number",
    "double precision": "number",
    "real": "number",
    "date": "date",
    "boolean": "boolean",
    "timestamp without time zone": "datetime",
    "timestamp with time zone": "datetime",
}
# OWASP "CSV Injection": cells must not begin with = + - @ TAB (0x09) CR (0x0D); the current page adds
# LF (0x0A) and the full-width forms, which some locales' spreadsheets also read as formulas
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# quoted as well as the RFC 4180 specials: `;` is the list separator of Indonesian Excel, which
# would otherwise split a cell and let a formula start the second half (OWASP: "take care of the
# field separator")
QUOTE_WHEN = re.compile(r"[\",;\r\n\t]")
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
WALIDATA = "Dinas Komunikasi dan Informatika (Diskominfo)"
# the publisher's PPID and time zone when the caller names none (the publishers' config passes its own)
DEFAULT_CONTACT = {"nama": "PPID Dinas Komunikasi dan Informatika", "email": "ppid@diskominfo.go.id"}
# Frictionless Data Package v2 profiles (https://datapackage.org/standard/)
DP2 = "https://datapackage.org/profiles/2.0/"
CSV_NOTE = (
    "Sel teks yang diawali =, +, -, @, tab atau baris baru diberi awalan tanda petik tunggal (') agar "
    "tidak dijalankan sebagai rumus oleh aplikasi lembar kerja (OWASP CSV Injection); angka tidak diubah."
)


# ---------------------------------------------------------------------------------------- CSV


def safe_cell(value: Any) -> str:
    """CSV text for one value: ISO dates, dot decimals, `true`/`false`, empty for null. Text that a
    spreadsheet would run as a formula gets a leading single quote (OWASP CSV injection); numbers,
    negative ones included, are never changed, whether typed or written as plain text ("-12.5")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):  # Table Schema's spelling of the special numbers
            return "NaN" if value != value else ("INF" if value > 0 else "-INF")
        text = format(value if isinstance(value, Decimal) else Decimal(repr(value)), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if QUOTE_WHEN.search(text) else text


def render_csv(columns: list[tuple[str, str]], rows: list[list[Any]]) -> bytes:
    lines = [",".join(csv_field(c) for c, _ in columns)]
    lines += [",".join(csv_field(safe_cell(v)) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# ----------------------------------------------------------------------------- reading a mart


# ------------------------------------------------------------------------------- descriptors


def _unit(column: str, meta: dict) -> str | None:
    units = meta.get("units") or {}
    if column in units:
        return units[column]
    if column == meta.get("measure"):
        return meta.get("satuan")
    if column.startswith(("persentase", "capaian_persen")):
        return "PERSEN"
    if column.endswith("_persen"):
        return "PERSEN"
    if column.startswith(("pagu", "realisasi", "target", "nilai", "rencana", "pengembalian", "uang_muka")):
        return "RUPIAH"
    if "hari" in column.split("_") and column not in ("hari_libur",):
        return "HARI"
    if column.startswith("nrr_"):
        return "SKOR (1-4)"
    return None


def field_type(column: str, pg_type: str, values: list[Any]) -> str:
    kind = PG_TO_TABLE_SCHEMA.get(pg_type, "string")
    if (
        kind == "string"
        and column == "periode"
        and values
        and all(isinstance(v, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", v) for v in values if v is not None)
    ):
        return "yearmonth"
    return kind


def table_schema(
    pub: dict, columns: list[tuple[str, str]], rows: list[list[Any]], suppression: pii.Suppression
) -> dict:
    meta = pub["meta"]
    pk = [c for c in meta.get("primary_key", []) if c in dict(columns)]
    fields = []
    for i, (name, pg_type) in enumerate(columns):
        f: dict[str, Any] = {"name": name, "type": field_type(name, pg_type, [r[i] for r in rows])}
        description = _plain(pub["columns"].get(name, ""))
        if name == suppression.flag_column and not description:
            description = f"True bila jumlah orang di bawah {suppression.threshold} sehingga disembunyikan."
        if name in suppression.columns:
            description = (description + " " if description else "") + (
                f"Kosong bila disupresi (kurang dari {suppression.threshold} orang)."
            )
        if description:
            f["description"] = description.strip()
        if unit := _unit(name, meta):
            f["unit"] = unit
        if name in pk:
            f["constraints"] = {"required": True}
        fields.append(f)
    return {"$schema": DP2 + "tableschema.json", "fields": fields, "primaryKey": pk, "missingValues": [""]}


def datapackage(
    dataset_id: str,
    pub: dict,
    schema: dict,
    rows: int,
    data: bytes,
    version: str,
    released_at: str,
    md: dict | None = None,
) -> dict:
    """The Frictionless Data Package v2 descriptor (`$schema` of the v2 profiles, a `type: table`
    resource with its Table Schema and CSV dialect), from the same facts as metadata.json (`md`)."""
    meta = pub["meta"]
    md = md or {}
    name = dataset_id.replace("_", "-")
    contact = md.get("kontak_ppid") or DEFAULT_CONTACT
    authors = md.get("produsen_data") or [meta.get("produsen_data", "")]
    return {
        "$schema": DP2 + "datapackage.json",
        "name": name,
        "title": meta.get("judul", dataset_id),
        "description": (meta.get("deskripsi") or pub.get("description", "")).strip(),
        "version": version,
        "created": md.get("waktu_rilis") or released_at,
        "keywords": list(md.get("tag") or meta.get("tag") or [])
        or [k for k in (meta.get("produsen_data"), meta.get("frekuensi")) if k],
        "licenses": [LICENSE],
        "contributors": [
            {"title": md.get("walidata", WALIDATA), "roles": ["publisher"]},
            {"title": contact["nama"], "email": contact["email"], "roles": ["contactPerson"]},
            *({"title": a, "roles": ["author"]} for a in authors if a),
        ],
        "resources": [
            {
                "$schema": DP2 + "dataresource.json",
                "name": name,
                "type": "table",
                "path": "data.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
                "dialect": {
                    "$schema": DP2 + "tabledialect.json",
                    "delimiter": ",",
                    "quoteChar": '"',
                    "doubleQuote": True,
                    "header": True,
                },
                "schema": schema,
            }
        ],
    }


def coverage(columns: list[tuple[str, str]], rows: list[list[Any]]) -> dict:
    """Where and when the data is about: wilayah codes and names, years, first and last day."""
    idx = {c: i for i, (c, _) in enumerate(columns)}

    def distinct(c: str) -> list:
        return sorted({r[idx[c]] for r in rows if r[idx[c]] is not None}, key=str) if c in idx else []

    pairs = (
        sorted({(r[idx["kode_kabupaten_kota"]], r[idx["nama_kabupaten_kota"]]) for r in rows}, key=str)
        if {"kode_kabupaten_kota", "nama_kabupaten_kota"} <= set(idx)
        else []
    )
    out: dict[str, Any] = {
        "kode_wilayah": [k for k, _ in pairs],
        "cakupan": [n for _, n in pairs],
        "periode": distinct("tahun"),
    }
    starts, ends = [], []
    for r in rows:
        year = r[idx["tahun"]] if "tahun" in idx else None
        if "periode" in idx and isinstance(r[idx["periode"]], str) and re.fullmatch(r"\d{4}-\d{2}", r[idx["periode"]]):
            y, m = map(int, r[idx["periode"]].split("-"))
            starts.append(date(y, m, 1))
            ends.append(date(y + m // 12, m % 12 + 1, 1))
        elif year and "bulan" in idx and r[idx["bulan"]]:
            m = int(r[idx["bulan"]])
            starts.append(date(int(year), m, 1))
            ends.append(date(int(year) + m // 12, m % 12 + 1, 1))
        elif year and "semester" in idx and r[idx["semester"]]:
            s = int(r[idx["semester"]])
            starts.append(date(int(year), 1 if s == 1 else 7, 1))
            ends.append(date(int(year), 7, 1) if s == 1 else date(int(year) + 1, 1, 1))
        elif year:
            starts.append(date(int(year), 1, 1))
            ends.append(date(int(year) + 1, 1, 1))
    if starts:
        out["periode_awal"] = min(starts).isoformat()
        out["periode_akhir"] = date.fromordinal(max(ends).toordinal() - 1).isoformat()
    return out


def _period_label(index: dict[str, int], fields: list[str]) -> str:
    """The period a published row is about, from its CSV text (as `coverage` reads it)."""

    def get(name: str) -> str:
        return fields[index[name]] if name in index and index[name] < len(fields) else ""

    if re.fullmatch(r"\d{4}-\d{2}", get("periode")):
        return get("periode")
    tahun = get("tahun")
    if tahun and get("bulan").isdigit():
        return f"{tahun}-{int(get('bulan')):02d}"
    if tahun and get("semester"):
        return f"{tahun}-S{get('semester')}"
    if tahun and get("triwulan"):
        return f"{tahun}-T{get('triwulan')}"
    return tahun or "-"


def _period_digests(data: bytes) -> dict[str, str]:
    """period -> digest of its rows, in file order (the order is the primary key's, so equal rows
    give equal digests)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader, [])
    index = {name: i for i, name in enumerate(header)}
    digests: dict[str, Any] = {}
    for fields in reader:
        period = _period_label(index, fields)
        digests.setdefault(period, hashlib.sha256()).update(json.dumps(fields).encode())
    return {p: d.hexdigest() for p, d in digests.items()}


def period_changes(previous: bytes | None, data: bytes) -> dict[str, list[str]]:
    """Which periods a new version changes, adds and drops against the previous version's data.csv."""
    new = _period_digests(data)
    old = _period_digests(previous) if previous is not None else {}
    return {
        "periode_berubah": sorted(p for p in new.keys() & old.keys() if new[p] != old[p]),
        "periode_baru": sorted(new.keys() - old.keys()),
        "periode_dihapus": sorted(old.keys() - new.keys()),
    }


# internal names (dbt models, warehouse schemas) that must never reach a public text
INTERNAL_NAME = re.compile(r"\b(?:pub|int|stg|fct|dim|raw|audit|marts|staging)[._][a-z0-9_]+\b")
WILAYAH_COLUMNS = ("kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota")
TIME_COLUMNS = ("tahun", "bulan", "semester", "triwulan", "periode")
_RULE_NOTE = re.compile(
    r"^(?P<rule>[A-Z]+-\d+) on (?P<table>\S+): (?P<text>.*?)(?: \((?P<n>\d+) failing\)| \(failed\))?$"
)
_MISSING = re.compile(r"^(?P<ds>\w+): (?P<n>\d+) expected submission\(s\) not received \(e\.g\. (?P<ex>.*)\)$")
_LATE = re.compile(r"^(?P<ds>\w+): (?P<n>\d+) submission\(s\) received late \(e\.g\. (?P<ex>.*)\)$")
_QUARANTINED = re.compile(r"^(?P<ds>\w+): (?P<n>\d+) row\(s\) quarantined on landing \((?P<rules>.*)\)$")
_KEPT = re.compile(r"^(?P<ds>\w+): rows kept with warnings \((?P<rules>.*)\)$")


def _legacy_examples(text: str) -> list[tuple[str, str, str]]:
    """`18.72/DINKES 2024-01, 18.72/BPKAD 2024-01` (the gate's English notes before they were Indonesian)."""
    out = []
    for part in text.split(", "):
        where, _, periode = part.strip().partition(" ")
        kode_pemda, _, opd = where.partition("/")
        out.append((kode_pemda, opd, periode))
    return out


def _legacy_counts(text: str) -> dict[str, int]:
    counts = {}
    for part in text.split(", "):
        rule_id, _, n = part.strip().partition(" ")
        counts[rule_id] = int(n) if n.isdigit() else 0
    return counts


def public_note(text: str) -> str:
    """A validation note of the gate (satudata/publish/gate.py) in Indonesian for the public and the PPID:
    the rule's Indonesian message, the submitted dataset's title; no internal model or schema name. The gate
    writes its notes on submissions in Indonesian (gate.note_*); notes recorded before in English are worded
    by the same functions."""
    from satudata.rules import catalogue

    if m := _RULE_NOTE.match(text):
        rule = catalogue().get(m["rule"])
        message = rule.text("id") if rule else m["text"]
        count = f" ({m['n']} baris/nilai tidak memenuhi)" if m["n"] else ""
        out = f"{m['rule']}: {message}{count}"
    elif m := _MISSING.match(text):
        out = gate.note_missing(m["ds"], _legacy_examples(m["ex"]), gate.opd_names(), int(m["n"]))
    elif m := _LATE.match(text):
        out = gate.note_late(m["ds"], _legacy_examples(m["ex"]), gate.opd_names(), int(m["n"]))
    elif m := _QUARANTINED.match(text):
        out = gate.note_quarantined(m["ds"], _legacy_counts(m["rules"]), [], gate.opd_names())
    elif m := _KEPT.match(text):
        out = gate.note_kept(m["ds"], _legacy_counts(m["rules"]), [], gate.opd_names())
    else:
        out = text
    return INTERNAL_NAME.sub("tabel internal", out)


def validation_metadata(validation: dict) -> dict:
    """`validasi` of metadata.json: status and traffic light, counts, and the notes in Indonesian."""
    warnings = [public_note(w) for w in validation.get("warnings") or []]
    incomplete = [public_note(w) for w in validation.get("incomplete") or []]
    plausible = (validation.get("pemeriksaan_kewajaran") or {}).get("peringatan") or []
    color = validation.get("status_color") or ("amber" if warnings or incomplete else "green")
    if plausible and color == "green":
        color = "amber"  # published, but with values a reader should doubt
    out = {
        "status": validation.get("status", "passed"),
        "status_warna": {"green": "hijau", "amber": "kuning", "red": "merah"}.get(color, color),
        "keterangan": "Lolos validasi"
        if color == "green"
        else "Lolos validasi, dengan catatan" + ("; kiriman belum lengkap" if incomplete else ""),
        "jumlah_pemeriksaan": validation.get("checks"),
        "pemeriksaan_gagal": validation.get("failed_checks"),
        "catatan": warnings,
        "kiriman_belum_lengkap": incomplete,
    }
    for key in ("pemeriksaan_data_pribadi", "pemeriksaan_kewajaran"):
        if key in validation:
            out[key] = validation[key]
    return out


def _plain(description: str) -> str:
    return re.sub(r"^\s*MEASURE\.\s*", "", description or "").strip()


ACRONYMS = {"ikm", "spm", "asn", "sla", "opd", "skp", "pad", "nrr"}


def measure_words(measure: str) -> str:
    """The measure's column name in words: persentase_serapan -> Persentase serapan, ikm -> IKM."""
    words = " ".join(w.upper() if w in ACRONYMS else w for w in measure.split("_"))
    return words[:1].upper() + words[1:]


def satu_data_fields(pub: dict, columns: list[tuple[str, str]]) -> dict:
    """Perpres 39/2019 pasal 6 (konsep, definisi, klasifikasi, ukuran, satuan) and the Satu Data portal's
    topik, tag, tingkat penyajian, sistem sumber and cara pengumpulan. Declared once: the dataset's meta
    in dbt (_publish__models.yml: konsep, topik, tag, tingkat_penyajian, measure, satuan; the measure's
    definition is its column description) and the submitted datasets it is built from (datasets.py)."""
    meta, docs = pub["meta"], pub.get("columns", {})
    names = [c for c, _ in columns]
    measure = meta.get("measure") or ""
    sources = [DATASETS[s] for s in meta.get("source_datasets", []) if s in DATASETS]
    sistem = meta.get("sistem_sumber") or sorted({s.sistem_sumber for s in sources if s.sistem_sumber})
    cara = meta.get("cara_pengumpulan") or "; ".join(sorted({s.cara_pengumpulan for s in sources}))
    return {
        "konsep": meta.get("konsep", ""),
        "definisi": _plain(docs.get(measure, "")),
        "klasifikasi": [
            {"kolom": c, "keterangan": _plain(docs.get(c, ""))}
            for c in meta.get("primary_key", [])
            if c in names and c not in WILAYAH_COLUMNS and c not in TIME_COLUMNS
        ],
        "ukuran": measure_words(measure),
        "kolom_ukuran": measure,
        "satuan": meta.get("satuan", ""),
        "topik": meta.get("topik", ""),
        "tag": list(meta.get("tag", [])),
        "tingkat_penyajian": meta.get("tingkat_penyajian", ""),
        "sistem_sumber": list(sistem),
        "cara_pengumpulan": cara,
    }


def producers(columns: list[tuple[str, str]], rows: list[list[Any]], sources: list[list[Any]]) -> list[str]:
    """The OPDs whose rows are in this version: their names in the data, else the OPDs of the input files."""
    idx = {c: i for i, (c, _) in enumerate(columns)}
    for column in ("nama_opd", "nama_opd_sumber"):
        if column in idx:
            names = {r[idx[column]] for r in rows if r[idx[column]]}
            if names:
                return sorted(str(n) for n in names)
    return sorted({str(r[1]) for r in sources if r[1]})


def metadata(
    dataset_id: str,
    pub: dict,
    version: str,
    rows: int,
    validation: dict,
    cover: dict,
    suppression: pii.Suppression,
    released_at: str,
    approval: dict | None,
    columns: list[tuple[str, str]] | None = None,
    produsen: list[str] | None = None,
    contact: dict | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> dict:
    """metadata.json (Satu Data Indonesia). `contact` and `time_zone` are the publisher's PPID and zone."""
    meta = pub["meta"]
    contact = contact or DEFAULT_CONTACT
    released_local = local_time(released_at, time_zone)
    return {
        "id": dataset_id,
        "judul": meta.get("judul", dataset_id),
        "deskripsi": (meta.get("deskripsi") or pub.get("description", "")).strip(),
        **satu_data_fields(pub, columns or []),
        "produsen_data": produsen or [meta.get("produsen_data", "")],
        "penanggung_jawab_data": meta.get("produsen_data", ""),
        "walidata": WALIDATA,
        "kode_wilayah": cover.get("kode_wilayah", []),
        "cakupan": cover.get("cakupan", []),
        "frekuensi": meta.get("frekuensi", ""),
        "periode": cover.get("periode", []),
        "periode_awal": cover.get("periode_awal"),
        "periode_akhir": cover.get("periode_akhir"),
        "lisensi": meta.get("lisensi", "CC-BY-4.0"),
        "kontak": contact["email"],
        "kontak_ppid": dict(contact),
        "zona_waktu": ZONE_LABEL.get(time_zone, time_zone),
        "tanggal_rilis": released_local[:10],
        "waktu_rilis": released_local,
        "versi": version,
        "jumlah_baris": rows,
        "berbasis_orang": bool(meta.get("person_based")),
        "supresi_sel_kecil": suppression.as_metadata(),
        "keamanan_csv": CSV_NOTE,
        "validasi": validation_metadata(validation),
        "persetujuan_ppid": approval,
    }


SOURCES_FILE = "sumber.csv"
SOURCES_COLUMNS = [
    ("kode_pemda", "text"),
    ("opd", "text"),
    ("dataset", "text"),
    ("path", "text"),
    ("sha256", "text"),
    ("file_id", "bigint"),
    ("diterima", "text"),
    ("baris_dimuat", "bigint"),
    ("baris_dipakai", "bigint"),
]


def source_files(url: str, datasets: list[str], time_zone: str = DEFAULT_TIME_ZONE) -> list[list[Any]]:
    """The input files whose rows are in the warehouse now for these raw datasets (what the marts were
    built from): pemda, OPD, dataset, path, sha256, file id, when received, rows loaded, and rows used
    (loaded, less those a later correction superseded: audit.source_row_history). Read from the audit
    schema only (the publisher never reads raw)."""
    if not datasets:
        return []
    with connect(url) as conn:
        rows = conn.execute(
            "select sf.kode_pemda, sf.opd, sf.dataset, sf.path, sf.sha256, sf.file_id, "
            "sf.received_at, sf.rows_loaded, "
            "sf.rows_loaded - coalesce((select count(*) from audit.source_row_history h "
            "where h.dataset = sf.dataset and h.file_id = sf.file_id), 0) "
            "from audit.source_file sf where sf.dataset = any(%s) and sf.superseded_by is null "
            "and sf.status in ('loaded', 'loaded_with_warnings') and sf.rows_loaded > 0 "
            "order by sf.kode_pemda, sf.opd, sf.dataset, sf.file_id",
            (list(datasets),),
        ).fetchall()
    return [[*r[:6], local_time(r[6], time_zone), *r[7:]] for r in rows if r[-1] > 0]


def run_links(settings: Settings, version_dir: Path, run_id: str | None) -> dict:
    """The run that published a version and its kept report (reports/runs/<run_id>/, written by the run's
    report stage and never overwritten: satudata/report/runs.py), as links relative to the version's
    folder, so they work on the web server of the outputs and in a copy of the whole output folder."""
    if not run_id:
        return {}
    from satudata.report import runs

    folder = runs.run_dir(settings, run_id)
    return {
        "jalankan": {
            "run_id": run_id,
            "laporan_audit": os.path.relpath(folder / "audit" / "index.html", version_dir),
            "ringkasan_jalankan": os.path.relpath(folder / "run_summary.json", version_dir),
            "keputusan": os.path.relpath(folder / "decisions.json", version_dir),
        }
    }


def definition_hash(pub: dict, schema: dict) -> str:
    """What besides the data makes a new version: the schema, titles, descriptions, units."""
    meta = pub["meta"]
    keys = ("judul", "deskripsi", "produsen_data", "frekuensi", "satuan", "lisensi", "kontak", "measure")
    payload = {"schema": schema, **{k: meta.get(k) for k in keys}}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# ------------------------------------------------------------------------------ the catalogue


def _write_json(path: Path, payload: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def load_catalog(settings: Settings) -> dict:
    path = settings.published / "catalog.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"datasets": {}}


def set_current(settings: Settings, dataset_id: str, entry: dict) -> None:
    settings.published.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog(settings)
    catalog["datasets"][dataset_id] = entry
    catalog["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    catalog["datasets"] = dict(sorted(catalog["datasets"].items()))
    _write_json(settings.published / "catalog.json", catalog)


def load_versions(settings: Settings, dataset_id: str) -> dict:
    path = settings.published / dataset_id / "versions.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"dataset_id": dataset_id, "current": None, "versions": [], "events": []}


def _save_versions(settings: Settings, history: dict) -> None:
    _write_json(settings.published / history["dataset_id"] / "versions.json", history)


def _version_numbers(folder: Path) -> list[int]:
    return sorted(int(p.name[1:]) for p in folder.glob("v*") if p.is_dir() and p.name[1:].isdigit())


def recover(settings: Settings, dataset_id: str) -> list[str]:
    """Put a dataset's folder back in line with catalog.json after a publisher died part way:
    remove `.v<n>.partial` folders and version folders the catalogue never pointed at and
    versions.json never recorded; record the version the catalogue points at when versions.json
    misses it or does not call it current. Returns what was done (also logged)."""
    folder = settings.published / dataset_id
    if not folder.is_dir():
        return []
    done = []
    for stale in folder.glob(".v*.partial"):  # left by a run that died while writing
        shutil.rmtree(stale, ignore_errors=True)
        done.append(f"removed {stale.name}, left by a publication that stopped while writing it")
    current = load_catalog(settings)["datasets"].get(dataset_id)
    history = load_versions(settings, dataset_id)
    recorded = {v["version"] for v in history["versions"]}
    for n in _version_numbers(folder):
        version = f"v{n}"
        if version not in recorded and (current is None or current["version"] != version):
            shutil.rmtree(folder / version, ignore_errors=True)
            done.append(f"removed {version}: written by a publication that stopped before the catalogue pointed at it")
    if current and history.get("current") != current["version"]:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for v in history["versions"]:
            if v.get("status") == "current":
                v["status"] = "superseded"
        entry = next((v for v in history["versions"] if v["version"] == current["version"]), None)
        if entry is None:
            entry = {
                "version": current["version"],
                "content_hash": current.get("content_hash"),
                "definition_hash": current.get("definition_hash"),
                "row_count": current.get("row_count"),
                "released_at": current.get("released_at"),
                "run_id": None,
            }
            history["versions"].append(entry)
        entry["status"] = "current"
        history["current"] = current["version"]
        history["events"].append(
            {
                "at": now,
                "action": "recovered",
                "version": current["version"],
                "note": "recorded after an interrupted publication (catalog.json pointed at it)",
            }
        )
        _save_versions(settings, history)
        done.append(f"recorded {current['version']}, which the catalogue points at, in versions.json")
    for note in done:
        log.warning("%s: %s", dataset_id, note)
    return done


def _catalog_entry(
    dataset_id: str, version: str, md: dict, content_hash: str, def_hash: str, released_at: str, **extra: Any
) -> dict:
    return {
        "dataset_id": dataset_id,
        "version": version,
        "path": f"{dataset_id}/{version}/",
        "judul": md["judul"],
        "row_count": md["jumlah_baris"],
        "content_hash": content_hash,
        "definition_hash": def_hash,
        "released_at": released_at,
        "validation": md["validasi"],
        **extra,
    }


# --------------------------------------------------------------------------------- publishing


def disclosure_control(
    settings: Settings, columns: list[tuple[str, str]], rows: list[list[Any]], meta: dict, previous: bytes | None
) -> tuple[list[list[Any]], disclosure.Report]:
    """Complementary, time- and version-consistent suppression of a person-based table (disclosure.py), with
    the threshold and dominance rule declared once as dbt vars; `previous`: the data.csv of the version
    before, whose suppression pattern is carried over."""
    policy = disclosure.Policy.from_meta(meta, settings.small_cell, dbt_vars().get("ambang_dominasi_persen"))
    return disclosure.protect(columns, rows, meta, policy, previous)


def publish_dataset(
    settings: Settings,
    url: str,
    table: str,
    pub: dict,
    validation: dict,
    provenance: dict,
    contact: dict | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
    publisher: Publisher | None = None,
) -> dict:
    """Write a new version of one dataset if its content changed. Returns what happened:
    status published | unchanged | blocked (with reasons and failing_checks, nothing written).
    `publisher`: only its rows, into its folder (`settings` is `settings.for_publisher(...)`)."""
    from satudata.publish.approval import approval_for

    if publisher is not None:  # its PPID and its time zone (publishers.yaml)
        contact, time_zone = contact or publisher.contact, ZONES[publisher.zona_waktu]
    meta = pub["meta"]
    dataset_id = meta["dataset_id"]
    columns, rows = read_table(
        url, table, list(meta.get("primary_key", [])), publisher.kabupaten_kota if publisher else None
    )
    columns, rows, suppression = pii.suppress_small_cells(columns, rows, meta, settings.small_cell)
    recover(settings, dataset_id)  # a publisher killed part way: the catalogue says what is published
    current = load_catalog(settings)["datasets"].get(dataset_id)
    previous = settings.published / dataset_id / current["version"] / "data.csv" if current else None
    previous_data = previous.read_bytes() if previous and previous.exists() else None
    rows, control = disclosure_control(settings, columns, rows, meta, previous_data)
    if suppression.applied and suppression.flag_column:  # the rows hidden in the end, complementary ones included
        flag = [c for c, _ in columns].index(suppression.flag_column)
        suppression.rows_suppressed = sum(bool(r[flag]) for r in rows)
    findings = pii.scan(columns, rows, meta)
    if findings:
        reasons = [f.reason() for f in findings]
        log.warning("%s: BLOCKED by the personal-data gate: %s", dataset_id, "; ".join(reasons))
        return {
            "dataset_id": dataset_id,
            "status": "blocked",
            "version": current["version"] if current else None,
            "row_count": len(rows),
            "reasons": reasons,
            "failing_checks": sorted({f.rule_id for f in findings}),
        }

    data = render_csv(columns, rows)
    sha = hashlib.sha256(data).hexdigest()
    schema = table_schema(pub, columns, rows, suppression)
    def_hash = definition_hash(pub, schema)
    history = load_versions(settings, dataset_id)
    base = {"dataset_id": dataset_id, "row_count": len(rows), "content_hash": sha}
    if current and current.get("content_hash") == sha and current.get("definition_hash", def_hash) == def_hash:
        released_by = next((v.get("run_id") for v in history["versions"] if v["version"] == current["version"]), None)
        if released_by and released_by == provenance.get("run_id"):  # a retry of the run that published it
            return {**base, "status": "published", "version": current["version"]}
        log.info("%s: content unchanged (sha256 %s), stays at version %s", dataset_id, sha[:12], current["version"])
        return {**base, "status": "unchanged", "version": current["version"]}
    withdrawn = [
        v
        for v in history["versions"]
        if v.get("status") == "withdrawn" and v["content_hash"] == sha and v.get("definition_hash") == def_hash
    ]
    if withdrawn and current:
        note = (
            f"content equals {withdrawn[0]['version']}, which was withdrawn by a revert; "
            f"{current['version']} stays current (publish it again by reverting to {withdrawn[0]['version']})"
        )
        log.warning("%s: %s", dataset_id, note)
        return {**base, "status": "unchanged", "version": current["version"], "warnings": [note]}

    folder = settings.published / dataset_id
    folder.mkdir(parents=True, exist_ok=True)
    changes = period_changes(previous_data, data)
    numbers = _version_numbers(folder)
    version = f"v{(numbers[-1] if numbers else 0) + 1}"
    released_at = datetime.now(UTC).isoformat(timespec="seconds")
    plausible = plausibility.check(dataset_id, columns, rows)
    validation = {
        **validation,
        "pemeriksaan_kewajaran": {"status": "ada peringatan" if plausible else "wajar", "peringatan": plausible},
        "pemeriksaan_data_pribadi": {
            "status": "lolos",
            "aturan": ["PII-001", "PII-002", "PII-003", "PII-004", "PII-005"],
        },
    }
    sources = source_files(url, meta.get("source_datasets", []), time_zone)
    md = {
        **metadata(
            dataset_id,
            pub,
            version,
            len(rows),
            validation,
            coverage(columns, rows),
            suppression,
            released_at,
            approval_for(url, provenance.get("run_id", ""), settings.publisher or ""),
            columns=columns,
            produsen=producers(columns, rows, sources),
            contact=contact,
            time_zone=time_zone,
        ),
        "perubahan": {"dari_versi": current["version"] if current else None, **changes},
        "kontrol_pengungkapan": control.as_metadata(),
        "provenance": provenance,
        **(
            {"penerbit": publisher.as_dict(), "walidata": publisher.walidata, "kontak": publisher.contact}
            if publisher
            else {}
        ),
        **run_links(settings, folder / version, provenance.get("run_id")),
    }
    staging = folder / f".{version}.partial"
    staging.mkdir()
    (staging / "data.csv").write_bytes(data)
    _write_json(
        staging / "datapackage.json", datapackage(dataset_id, pub, schema, len(rows), data, version, released_at, md)
    )
    (staging / SOURCES_FILE).write_bytes(render_csv(SOURCES_COLUMNS, sources))
    md["sumber_berkas"] = {
        "berkas": SOURCES_FILE,
        "jumlah_berkas": len(sources),
        "baris_dipakai": sum(r[-1] for r in sources),
        "keterangan": "berkas masukan yang barisnya membentuk versi ini / the input files "
        "whose rows make this version (docs/provenance.md)",
    }
    _write_json(staging / "metadata.json", md)
    os.replace(staging, folder / version)  # the version appears whole or not at all
    # the commit point: from here the catalogue points at the new version (recover() mends the rest)
    set_current(settings, dataset_id, _catalog_entry(dataset_id, version, md, sha, def_hash, released_at))

    for v in history["versions"]:
        if v.get("status") == "current":
            v["status"] = "superseded"
    history["versions"].append(
        {
            "version": version,
            "content_hash": sha,
            "definition_hash": def_hash,
            "row_count": len(rows),
            "released_at": released_at,
            "run_id": provenance.get("run_id"),
            "status": "current",
            "changes": changes,
        }
    )
    history["events"].append(
        {
            "at": released_at,
            "action": "published",
            "version": version,
            "from": current["version"] if current else None,
            "run_id": provenance.get("run_id"),
            "changed_periods": changes["periode_berubah"],
        }
    )
    history["current"] = version
    _save_versions(settings, history)
    log.info(
        "%s: published version %s (%d rows; periods changed %s, new %s, dropped %s)",
        dataset_id,
        version,
        len(rows),
        changes["periode_berubah"] or "-",
        changes["periode_baru"] or "-",
        changes["periode_dihapus"] or "-",
    )
    return {**base, "status": "published", "version": version, "warnings": plausible}


def revert(settings: Settings, url: str, dataset_id: str, version: str, actor: str, reason: str = "") -> dict:
    """Make an earlier version current again; withdraw the one reverted from; record it in
    audit.publication (status 'reverted', the actor and the reason)."""
    version = version if version.startswith("v") else f"v{version}"
    folder = settings.published / dataset_id / version
    if not (folder / "metadata.json").exists():
        known = ", ".join(f"v{n}" for n in _version_numbers(settings.published / dataset_id)) or "none"
        raise LookupError(f"{dataset_id} has no published version {version} (versions: {known})")
    current = load_catalog(settings)["datasets"].get(dataset_id)
    if current and current["version"] == version:
        raise ValueError(f"{dataset_id} {version} is already the current version")
    md = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    data = (folder / "data.csv").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    history = load_versions(settings, dataset_id)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    target: dict = {}
    for v in history["versions"]:
        if current and v["version"] == current["version"]:
            v["status"] = "withdrawn"
            v["withdrawn_at"] = now
        elif v["version"] == version:
            v["status"] = "current"
            target = v
    history["events"].append(
        {
            "at": now,
            "action": "reverted",
            "version": version,
            "from": current["version"] if current else None,
            "actor": actor,
            "reason": reason,
        }
    )
    history["current"] = version
    _save_versions(settings, history)
    set_current(
        settings,
        dataset_id,
        _catalog_entry(
            dataset_id,
            version,
            md,
            sha,
            target.get("definition_hash", ""),
            target.get("released_at", now),
            reverted_from=current["version"] if current else None,
            reverted_at=now,
            reverted_by=actor,
        ),
    )
    text = f"reverted from {current['version'] if current else 'none'} to {version} by {actor}"
    reasons = [text + (f": {reason}" if reason else "")]
    run_id = f"revert__{dataset_id}__{now.replace(':', '').replace('+0000', 'Z')}"
    ledger.record(
        url,
        run_id,
        settings.publisher or "",
        dataset_id,
        "reverted",
        version=version,
        row_count=md.get("jumlah_baris"),
        content_hash=sha,
        reasons=reasons,
        actor=actor,
    )
    log.info("%s: %s", dataset_id, reasons[0])
    return {
        "dataset_id": dataset_id,
        "status": "reverted",
        "version": version,
        "from": current["version"] if current else None,
        "run_id": run_id,
    }


def record_run_outcome(settings: Settings, url: str, run_id: str) -> None:
    """Note in catalog.json what the last run decided for each dataset (published, unchanged,
    blocked) so the public page can say an update is held back, without the internal reasons."""
    with connect(url) as conn:
        rows = conn.execute(
            "select dataset_id, status, decided_at from audit.publication where run_id = %s and kode_pemda = %s",
            (run_id, settings.publisher or ""),
        ).fetchall()
    if not rows:
        return
    catalog = load_catalog(settings)
    catalog["last_run"] = {
        "run_id": run_id,
        "at": max(r[2] for r in rows).isoformat(timespec="seconds"),
        "datasets": {r[0]: r[1] for r in sorted(rows)},
    }
    settings.published.mkdir(parents=True, exist_ok=True)
    _write_json(settings.published / "catalog.json", catalog)


def _titles(settings: Settings) -> dict[str, dict]:
    """dataset_id -> meta of every published model in the dbt manifest (empty without one)."""
    from satudata.transform import publications

    try:
        return {
            p["meta"]["dataset_id"]: p["meta"] for p in publications(settings).values() if "dataset_id" in p["meta"]
        }
    except (FileNotFoundError, KeyError, ValueError):
        return {}


def finish_publication(
    settings: Settings, url: str, run_id: str | None = None, titles: dict[str, dict] | None = None
) -> dict:
    """After the datasets of a run (or a revert): record the run's outcome in catalog.json, write
    the DCAT catalogue and the public page, and push the current versions to CKAN when configured."""
    from satudata.publish import catalog_page, ckan, dcat, publishers

    if run_id:
        record_run_outcome(settings, url, run_id)
    if titles is None:
        titles = _titles(settings)
    settings.published.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog(settings)
    dcat.write_catalog(settings, catalog)
    publisher = (
        publishers.by_code(publishers.load(settings.publishers_file)).get(settings.publisher)
        if settings.publisher
        else None
    )
    time_zone = ZONES[publisher.zona_waktu] if publisher else DEFAULT_TIME_ZONE
    catalog_page.write_page(settings, catalog, titles, time_zone)  # times in the publisher's zone
    # each publisher's datasets in its own CKAN organisation
    org = publisher.ckan_organisation if publisher and settings.ckan_connection else None
    pushed = ckan.push_catalog(settings, catalog, owner_org=org) if settings.ckan_connection else {}
    return {"datasets": len(catalog["datasets"]), "ckan": pushed}


def run_revert(
    settings: Settings, dataset_id: str, version: str, actor: str, reason: str = "", kode_pemda: str | None = None
) -> int:
    """`satudata revert [--pemda KODE]` (the publisher whose version it is): against SATUDATA_WAREHOUSE_URL,
    or the embedded warehouse (started and
    stopped again if it was not running)."""
    from satudata.publish import ckan
    from satudata.warehouse import migrate
    from satudata.warehouse.embedded import EmbeddedWarehouse
    from satudata.warehouse.lock import stage_lock

    if kode_pemda:
        settings = settings.for_publisher(kode_pemda)
    embedded = None if settings.warehouse_url else EmbeddedWarehouse(settings.home)
    started = embedded is not None and embedded.running_url() is None
    url = settings.warehouse_url or embedded.start()  # type: ignore[union-attr]
    ckan_note = ""
    try:
        migrate(url)
        if settings.ckan_connection is None:  # CKAN, when configured, shows the reverted version too
            try:
                settings = replace(settings, ckan_connection=ckan.airflow_connection(settings, url))
            except RuntimeError as exc:
                log.warning("%s", exc)
                ckan_note = (
                    "CKAN tidak diperbarui: koneksi ckan_default tidak dapat dibaca dari Airflow; publikasi "
                    "berikutnya mengirim versi yang berlaku / CKAN not updated: Airflow could not be asked for "
                    "ckan_default; the next publication pushes the current version"
                )
        # a revert rewrites catalog.json: never while a run publishes (satudata/warehouse/lock.py)
        with stage_lock(url, "publish", f"revert {dataset_id} by {actor}", settings.lock_timeout):
            result = revert(settings, url, dataset_id, version, actor, reason)
            try:
                finished = finish_publication(settings, url)
            except ckan.CkanPushError as exc:
                finished = {"ckan": {}}
                ckan_note = (
                    f"CKAN tidak diperbarui / CKAN not updated ({exc}); publikasi berikutnya mengirim versi yang "
                    "berlaku / the next publication pushes the current version"
                )
    except (LookupError, ValueError) as exc:
        print(f"revert refused: {exc}")
        return 1
    finally:
        if started:
            embedded.stop()  # type: ignore[union-attr]
    print(
        f"{dataset_id}: {result['version']} is current again (was {result['from']}); "
        f"recorded as {result['run_id']} in audit.publication"
    )
    if finished.get("ckan"):
        print(f"CKAN: {dataset_id} {finished['ckan'].get(dataset_id, '-')} ({result['version']})")
    if ckan_note:
        print(ckan_note)
        return 2
    return 0
