"""The source registry (`registry.yaml`): one entry per pemda x OPD x dataset, saying how its data arrives.

    sources:
      - id: metro-bkpsdm-pegawai-simpeg       # lower case, digits, - and _ ; names the extracted files
        kode_pemda: "18.72"                    # Kemendagri code, quoted (a YAML number would lose the 0s)
        opd: BKPSDM                            # singkatan, as in the landing folder
        dataset: pegawai                       # one of the 14 datasets
        kind: http                             # file | http | sql
        location:                              # file: a glob under the landing folder (default
          url: https://simpeg.example.go.id/api/v1/pegawai   # <kode_pemda>/<opd>/<dataset>/*)
          connection: simpeg_metro             # Airflow connection: bearer token (AIRFLOW_CONN_SIMPEG_METRO)
          pagination: page                     # page (?page=&per_page=, meta.total) | next (links.next)
          per_page: 100
          params: {tahun: 2024}                # extra query parameters
          fields: {nip: nip_baru}              # canonical column: API field (default: the same name)
        schedule: "@daily"
        expected_periods: ["2024-01..2024-12"] # YYYY-MM or YYYY, or a range A..B of either
        deadline_day: 10                       # day of the month after the period the data is due by

      - id: metro-dpmptsp-permohonan-sicantik
        kind: sql
        location:
          connection: sicantik_metro           # Airflow connection to the OPD's PostgreSQL
          table: public.permohonan             # schema.table (identifiers only: always quoted)
          watermark_column: updated_at         # a timestamp column the application maintains
          columns: {nomor_permohonan: no_registrasi, tanggal_masuk: tgl_daftar}  # canonical: source
        ...

A `defaults:` mapping may give `schedule` and `deadline_day` for every entry. The top level may
also be the bare list of entries. Every name is checked against a strict pattern and the
reference lists (pemda, OPD of that pemda, dataset); identifiers of SQL sources are quoted with
psycopg.sql.Identifier where they are used, and there is no free SQL in the registry. A registry
with any error is refused as a whole, listing every error.

File drops need no entry (they are discovered by path); an entry for them adds the schedule and
the expected periods.
"""

from __future__ import annotations

import calendar
import csv
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from satudata.datasets import DATASETS, SOURCE_KINDS, SourceKind
from satudata.extract.discover import KODE_PEMDA, OPD_FOLDER

__all__ = [
    "Registry",
    "Source",
    "HttpLocation",
    "SqlLocation",
    "Expected",
    "RegistryError",
    "load_registry",
    "registry_path",
    "REGISTRY_FILE",
]

REGISTRY_FILE = "registry.yaml"  # looked for at the top of the landing folder (never taken as a file drop)

SOURCE_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")  # no "__": it separates id and time in file names
CONN_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")  # AIRFLOW_CONN_<ID> must be a valid variable name
SQL_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
API_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\[\]-]{0,62}$")
PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")
SCHEDULE = re.compile(r"^(?:@(?:once|hourly|daily|weekly|monthly|quarterly|yearly)|[0-9*/,\- ]{9,60})$")
GLOB = re.compile(r"^[A-Za-z0-9_.\-*?\[\]/]+$")
KINDS = SOURCE_KINDS  # satudata/datasets.py: each dataset names the kinds that may deliver it
MAX_ID = 63

Kind = SourceKind


class RegistryError(ValueError):
    """The registry cannot be used; `errors` lists every problem found (entry, key, what is wrong)."""

    def __init__(self, path: Path | None, errors: list[str]):
        self.errors = errors
        where = f"{path}: " if path else ""
        super().__init__(f"{where}source registry has {len(errors)} error(s):\n  " + "\n  ".join(errors))


@dataclass(frozen=True)
class HttpLocation:
    url: str
    connection: str | None = None
    pagination: Literal["page", "next"] = "page"
    per_page: int = 100
    params: tuple[tuple[str, str], ...] = ()
    fields: tuple[tuple[str, str], ...] = ()  # (canonical column, API field)
    timeout: float = 30.0  # seconds per request
    retries: int = 4  # on 429 / 5xx / timeout / dropped connection
    backoff: float = 0.5  # seconds before the first retry, doubling each time


@dataclass(frozen=True)
class SqlLocation:
    connection: str
    table: tuple[str, str]  # (schema, table)
    watermark_column: str = "updated_at"
    columns: tuple[tuple[str, str], ...] = ()  # (canonical column, source column)


@dataclass(frozen=True)
class Source:
    id: str
    kode_pemda: str
    opd: str
    dataset: str
    kind: Kind
    location: str | HttpLocation | SqlLocation  # file: glob relative to the landing folder
    schedule: str = "@daily"
    expected_periods: tuple[str, ...] = ()
    deadline_day: int = 10

    @property
    def slot(self) -> tuple[str, str, str]:
        return (self.kode_pemda, self.opd, self.dataset)


@dataclass(frozen=True)
class Expected:
    """One submission the registry expects: a period of a pemda x OPD x dataset, due by `deadline`."""

    kode_pemda: str
    opd: str
    dataset: str
    periode: str
    deadline: date


@dataclass(frozen=True)
class Registry:
    sources: tuple[Source, ...] = ()
    path: Path | None = None
    _by_id: dict[str, Source] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({s.id: s for s in self.sources})

    def source(self, source_id: str) -> Source:
        try:
            return self._by_id[source_id]
        except KeyError:
            raise KeyError(f"no source {source_id!r} in the registry {self.path or ''}".strip()) from None

    def extractable(self) -> list[Source]:
        """The sources the pipeline pulls (http and sql); file drops arrive by themselves."""
        return [s for s in self.sources if s.kind in ("http", "sql")]

    def expected(self) -> list[Expected]:
        out = []
        for s in self.sources:
            for p in s.expected_periods:
                out.append(Expected(s.kode_pemda, s.opd, s.dataset, p, deadline_of(p, s.deadline_day)))
        return out


def deadline_of(periode: str, day: int) -> date:
    """`day` of the month after the period (after December for a yearly period), clamped to the month."""
    m = PERIOD.match(periode)
    if not m:
        raise ValueError(f"not a period: {periode!r}")
    year, month = int(m.group(1)), int(m.group(2) or 12)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def expand_periods(items: list[Any]) -> tuple[list[str], list[str]]:
    """`2024-01..2024-03` -> 2024-01, 2024-02, 2024-03; `2022..2024` -> 2022, 2023, 2024.
    Returns (periods in order, without repeats; errors)."""
    periods: list[str] = []
    errors: list[str] = []
    for item in items:
        text = str(item).strip()
        lo, sep, hi = text.partition("..")
        a, b = PERIOD.match(lo.strip()), PERIOD.match(hi.strip())
        if not a or (sep and (not b or bool(a.group(2)) != bool(b.group(2)))):
            errors.append(f"{text!r} is not YYYY-MM, YYYY or a range like 2024-01..2024-12")
        elif not sep:
            periods.append(text)
        elif b is not None and a.group(2):
            start, end = int(a.group(1)) * 12 + int(a.group(2)) - 1, int(b.group(1)) * 12 + int(b.group(2)) - 1
            periods += [f"{n // 12}-{n % 12 + 1:02d}" for n in range(start, end + 1)]
            if start > end:
                errors.append(f"range {text!r} ends before it starts")
        elif b is not None:
            periods += [str(y) for y in range(int(a.group(1)), int(b.group(1)) + 1)]
            if a.group(1) > b.group(1):
                errors.append(f"range {text!r} ends before it starts")
    return list(dict.fromkeys(periods)), errors


@cache
def _pemda_codes() -> frozenset[str]:
    from satudata.reference import SEEDS

    with (SEEDS / "pemda.csv").open(encoding="utf-8") as f:
        return frozenset(row["kode_pemda"] for row in csv.DictReader(f))


class _Checker:
    """Collects every error of one entry, prefixed with where it is."""

    def __init__(self, where: str, errors: list[str]):
        self.where, self.errors = where, errors

    def error(self, key: str, problem: str) -> None:
        self.errors.append(f"{self.where}: {key}: {problem}")

    def text(self, raw: dict, key: str, pattern: re.Pattern, what: str, required: bool = True) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.error(key, "is missing")
            return None
        if not isinstance(value, str) or not pattern.match(value):
            self.error(key, f"{value!r} is not {what}")
            return None
        return value

    def keys(self, raw: dict, allowed: set[str], key: str = "") -> None:
        unknown = sorted(set(map(str, raw)) - allowed)
        if unknown:
            self.error(key or "entry", f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")

    def mapping(
        self, raw: dict, key: str, names: re.Pattern, values: re.Pattern, what: str, canonical: set[str] | None = None
    ) -> tuple[tuple[str, str], ...]:
        value = raw.get(key) or {}
        if not isinstance(value, dict):
            self.error(key, "must be a mapping")
            return ()
        out = []
        for k, v in value.items():
            if canonical is not None and k not in canonical:
                self.error(key, f"{k!r} is not a column of the dataset ({', '.join(sorted(canonical))})")
            elif canonical is None and not (isinstance(k, str) and names.match(k)):
                self.error(key, f"{k!r} is not a valid name")
            elif not (isinstance(v, str) and values.match(v)):
                self.error(key, f"{k}: {v!r} is not {what}")
            else:
                out.append((k, v))
        return tuple(out)


ENTRY_KEYS = {"id", "kode_pemda", "opd", "dataset", "kind", "location", "schedule", "expected_periods", "deadline_day"}
HTTP_KEYS = {"url", "connection", "pagination", "per_page", "params", "fields", "timeout", "retries", "backoff"}
SQL_KEYS = {"connection", "table", "watermark_column", "columns"}


def _http_location(c: _Checker, raw: Any, columns: set[str]) -> HttpLocation | None:
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict):
        c.error("location", "must be a mapping with url (and connection, pagination, per_page, params, fields)")
        return None
    c.keys(raw, HTTP_KEYS, "location")
    url = raw.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in str(url)):
        c.error("location.url", f"{url!r} is not an http(s) URL")
    conn = c.text(raw, "connection", CONN_ID, "a connection id (letters, digits, _)", required=False)
    pagination = raw.get("pagination", "page")
    if pagination not in ("page", "next"):
        c.error("location.pagination", f"{pagination!r} is not page or next")
    per_page, timeout = raw.get("per_page", 100), raw.get("timeout", 30)
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= 10_000:
        c.error("location.per_page", f"{per_page!r} is not a whole number from 1 to 10000")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 600:
        c.error("location.timeout", f"{timeout!r} is not a number of seconds from 0 to 600")
    retries, backoff = raw.get("retries", 4), raw.get("backoff", 0.5)
    if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= 10:
        c.error("location.retries", f"{retries!r} is not a whole number from 0 to 10")
    if not isinstance(backoff, int | float) or isinstance(backoff, bool) or not 0 <= backoff <= 60:
        c.error("location.backoff", f"{backoff!r} is not a number of seconds from 0 to 60")
    params = raw.get("params") or {}
    if (
        not isinstance(params, dict)
        or not all(isinstance(k, str) and PARAM_NAME.match(k) for k in params)
        or any(isinstance(v, dict | list) for v in params.values())
    ):
        c.error("location.params", "must map parameter names to plain values")
        params = {}
    if {"page", "per_page"} & set(params):
        c.error("location.params", "page and per_page are set by the extractor")
    fields = c.mapping(raw, "fields", API_FIELD, API_FIELD, "an API field name (a.b for nested)", columns)
    if any(e.startswith(c.where + ":") for e in c.errors):  # the registry is refused anyway
        return None
    return HttpLocation(
        str(url),
        conn,
        pagination,
        per_page,
        tuple((k, str(v)) for k, v in params.items()),
        fields,
        float(timeout),
        retries,
        float(backoff),
    )


def _sql_location(c: _Checker, raw: Any, columns: set[str]) -> SqlLocation | None:
    if not isinstance(raw, dict):
        c.error("location", "must be a mapping with connection, table, watermark_column (and columns)")
        return None
    c.keys(raw, SQL_KEYS, "location")
    conn = c.text(raw, "connection", CONN_ID, "a connection id (letters, digits, _)")
    table = raw.get("table")
    schema, _, name = table.rpartition(".") if isinstance(table, str) else ("", "", "")
    schema = schema or "public"
    if not (SQL_IDENT.match(schema) and SQL_IDENT.match(name)):
        c.error("location.table", f"{table!r} is not schema.table in lower case letters, digits and _")
    wm = (
        c.text(raw, "watermark_column", SQL_IDENT, "a column name (lower case letters, digits, _)", required=False)
        or "updated_at"
    )
    mapped = c.mapping(raw, "columns", SQL_IDENT, SQL_IDENT, "a column name (lower case letters, digits, _)", columns)
    if conn is None or not (SQL_IDENT.match(schema) and SQL_IDENT.match(name)):
        return None
    return SqlLocation(conn, (schema, name), wm, mapped)


def _file_location(c: _Checker, raw: Any, slot: tuple[str, str, str]) -> str:
    prefix = "/".join(slot) + "/"
    if raw is None:
        return prefix + "*"
    if not isinstance(raw, str) or not GLOB.match(raw) or ".." in raw or not raw.startswith(prefix):
        c.error("location", f"{raw!r} is not a glob under {prefix} in the landing folder")
    return str(raw)


def _entry(raw: Any, i: int, defaults: dict, errors: list[str], check_reference: bool) -> Source | None:
    ident = raw.get("id") if isinstance(raw, dict) else None
    c = _Checker(f"sources[{i}]" + (f" ({ident})" if isinstance(ident, str) else ""), errors)
    if not isinstance(raw, dict):
        c.error("entry", "must be a mapping")
        return None
    c.keys(raw, ENTRY_KEYS)
    source_id = c.text(raw, "id", SOURCE_ID, "a source id (lower case letters, digits, single - or _)")
    if source_id and len(source_id) > MAX_ID:
        c.error("id", f"is longer than {MAX_ID} characters")
    kode = c.text(raw, "kode_pemda", KODE_PEMDA, 'a Kemendagri code like "18.72" (quoted)')
    opd = c.text(raw, "opd", OPD_FOLDER, "an OPD singkatan like BPKAD (upper case)")
    dataset = raw.get("dataset")
    if dataset not in DATASETS:
        c.error("dataset", f"{dataset!r} is not one of {', '.join(sorted(DATASETS))}")
        dataset = None
    if check_reference and kode and kode not in _pemda_codes():
        c.error("kode_pemda", f"{kode} is not in the pemda reference list")
    elif check_reference and kode and opd:
        from satudata.reference import opd_codes

        if (kode, opd) not in opd_codes():
            c.error("opd", f"{opd} is not in the OPD reference list of pemda {kode}")
    kind = raw.get("kind")
    if kind not in KINDS:
        c.error("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    elif dataset and kind not in DATASETS[dataset].source_kinds:
        c.error("kind", f"{dataset} is not delivered by {kind}: {', '.join(DATASETS[dataset].source_kinds)}")
    schedule = raw.get("schedule", defaults.get("schedule", "@daily"))
    if not isinstance(schedule, str) or not SCHEDULE.match(schedule):
        c.error("schedule", f"{schedule!r} is not a cron expression or @daily/@monthly/...")
    deadline = raw.get("deadline_day", defaults.get("deadline_day", 10))
    if not isinstance(deadline, int) or isinstance(deadline, bool) or not 1 <= deadline <= 31:
        c.error("deadline_day", f"{deadline!r} is not a day of the month (1-31)")
    items = raw.get("expected_periods") or []
    if not isinstance(items, list):
        c.error("expected_periods", "must be a list")
        items = []
    periods, period_errors = expand_periods(items)
    for problem in period_errors:
        c.error("expected_periods", problem)
    if not (source_id and kode and opd and dataset and kind in KINDS):
        return None
    columns = set(DATASETS[dataset].column_names)
    location: str | HttpLocation | SqlLocation | None
    if kind == "http":
        location = _http_location(c, raw.get("location"), columns)
    elif kind == "sql":
        location = _sql_location(c, raw.get("location"), columns)
    else:
        location = _file_location(c, raw.get("location"), (kode, opd, dataset))
    if location is None:
        return None
    return Source(
        source_id,
        kode,
        opd,
        dataset,
        kind,
        location,
        schedule,
        tuple(periods),
        deadline if isinstance(deadline, int) else 10,
    )


def parse_registry(document: Any, path: Path | None = None, check_reference: bool = True) -> Registry:
    """Validate a parsed YAML document; raise RegistryError listing every problem."""
    errors: list[str] = []
    if document is None:
        return Registry((), path)
    defaults: dict = {}
    if isinstance(document, dict):
        unknown = sorted(set(map(str, document)) - {"sources", "defaults"})
        if unknown:
            errors.append(f"top level: unknown key(s) {', '.join(unknown)} (allowed: defaults, sources)")
        defaults = document.get("defaults") or {}
        if not isinstance(defaults, dict) or set(map(str, defaults)) - {"schedule", "deadline_day"}:
            errors.append("defaults: must be a mapping of schedule and/or deadline_day")
            defaults = {}
        document = document.get("sources") or []
    if not isinstance(document, list):
        raise RegistryError(path, ["top level: must be a list of sources or a mapping with `sources:`"])
    sources = [s for i, raw in enumerate(document) if (s := _entry(raw, i, defaults, errors, check_reference))]
    seen_ids: dict[str, int] = {}
    seen_slots: dict[tuple[str, str, str], str] = {}
    for s in sources:
        if s.id in seen_ids:
            errors.append(f"id {s.id!r} is used more than once")
        seen_ids[s.id] = 1
        if s.slot in seen_slots:
            errors.append(
                f"{'/'.join(s.slot)} has two entries ({seen_slots[s.slot]}, {s.id}): one per pemda x OPD x dataset"
            )
        seen_slots.setdefault(s.slot, s.id)
    if errors:
        raise RegistryError(path, errors)
    return Registry(tuple(sources), path)


def load_registry(path: Path | str | None, check_reference: bool = True) -> Registry:
    """Read and validate a registry file; None (no registry) gives an empty registry."""
    if path is None:
        return Registry()
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise RegistryError(path, [f"not valid YAML: {e}"]) from e
    if _oversized(document):
        raise RegistryError(path, [f"more than {MAX_NODES:,} values once YAML aliases are expanded (an alias bomb?)"])
    return parse_registry(document, path, check_reference)


MAX_NODES = 100_000  # a registry of every OPD of a province is a few thousand values


def _oversized(document: Any) -> bool:
    """True when the document, with its aliases expanded, holds more than MAX_NODES values (counted
    without expanding them: the walk stops at the limit)."""
    seen = 0
    stack = [document]
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            return True
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def registry_path(registry: Path | None, landing: Path) -> Path | None:
    """$SATUDATA_REGISTRY when set (it must exist), else <landing>/registry.yaml when present, else None."""
    if registry is not None:
        if not registry.is_file():
            raise FileNotFoundError(f"source registry {registry} (SATUDATA_REGISTRY) does not exist")
        return registry
    candidate = landing / REGISTRY_FILE
    return candidate if candidate.is_file() else None
