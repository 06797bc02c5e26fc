"""Export profiles: the real layouts OPDs download from SIASN, SIMPEG, SIPD-RI and e-SKM, declared as data.

A profile is one YAML file beside this module (``<id>.yaml``): the header signature that recognises
the export, the export's own header texts for each canonical column of the dataset, helper columns
read but not stored (``_name``), and the ordered ``steps`` that turn one row of the export into one
row of the standard, or set it aside as not a line (a subtotal, a parent account, a komponen detail,
an SPM not yet paid) with a reason. Adding a layout is a profile plus a fixture, not a new reader.

The reader (:mod:`satudata.extract.readers`) recognises a profile from the first rows of each
sheet (:func:`recognise`), finds the header with the profile's texts (:meth:`Profile.reading_dataset`),
and passes every data row through :func:`apply`. Steps are small named functions registered with
:func:`step`: the generic ones are here, domain ones in ``steps_<domain>.py`` beside this module.

A step is ``fn(row, ctx, **args) -> str | None``: it changes ``row`` (raw cell values keyed by
canonical or ``_extra`` names; typing happens later, in the loader) and returns ``None``, or a reason
(Indonesian / English) to set the row aside. It may raise ``FileRejected`` to refuse the file.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from satudata.config import load_yaml
from satudata.datasets import DATASETS, Column, Dataset
from satudata.extract import parse

HERE = Path(__file__).parent

Step = Callable[..., str | None]
_STEPS: dict[str, Step] = {}


def step(name: str) -> Callable[[Step], Step]:
    """Register a step function under ``name`` (the key used in a profile's ``steps``)."""

    def register(fn: Step) -> Step:
        if name in _STEPS and _STEPS[name] is not fn:
            raise ValueError(f"profile step {name!r} registered twice")
        _STEPS[name] = fn
        return fn

    return register


@dataclass
class FileContext:
    """What a step knows about the file besides the row."""

    file_name: str  # the name the OPD gave the file (not the archive's name)
    title_lines: list[str] = field(default_factory=list)  # text of the rows above the header
    kode_pemda: str | None = None
    opd: str | None = None
    sheet: str | None = None
    decimal_hints: dict[str, str] = field(default_factory=dict)
    state: dict[str | tuple[str, ...], Any] = field(
        default_factory=dict
    )  # carried between rows (fill down, group headers)
    warnings: list[str] = field(default_factory=list)  # file-level findings a step adds (shown as reasons)
    row_number: int | None = None  # the row the steps are looking at (as the submitter sees it)
    # called once after the last row (a check that needs the whole group: the last SP2D, the last sub kegiatan)
    at_end: list[Callable[[FileContext], None]] = field(default_factory=list)

    def once_at_end(self, fn: Callable[[FileContext], None]) -> None:
        """Run ``fn(ctx)`` after the last row; registering the same function again does nothing."""
        if fn not in self.at_end:
            self.at_end.append(fn)

    def number(self, value: object, column: str | None = None) -> Any:
        """A number as the file writes it (the file's decimal separator); None when blank or unreadable."""
        try:
            return parse.parse_number(value, self.decimal_hints.get(column or "") or self._file_hint())
        except parse.ParseError:
            return None

    def _file_hint(self) -> str | None:
        hints = set(self.decimal_hints.values())
        return hints.pop() if len(hints) == 1 else None


@dataclass(frozen=True, eq=False)  # compared and cached by identity: one object per declared profile
class Profile:
    id: str
    nama: str  # shown to the OPD: "dibaca sebagai: <nama>"
    dataset: str
    signature: tuple[str, ...]  # header keys that must all appear in one header row (or two stacked rows)
    columns: dict[str, tuple[str, ...]]  # canonical column -> the export's header texts
    extra: dict[str, tuple[str, ...]]  # helper column (`_name`) -> header texts
    required: tuple[str, ...]
    steps: tuple[tuple[str, dict[str, Any]], ...]
    sumber: str = ""

    @property
    def reading_dataset(self) -> Dataset:
        """The dataset as this export writes it: the profile's header texts are the only aliases, so
        the reader's header detection, two-row headers and column letters work unchanged."""
        return _reading_dataset(self)


@cache
def _reading_dataset(profile: Profile) -> Dataset:
    base = DATASETS[profile.dataset]
    cols: list[Column] = []
    for name, headers in (*profile.columns.items(), *profile.extra.items()):
        typ = base.column(name).type if name in base.column_names else "text"
        cols.append(Column(name, typ, required=name in profile.required, aliases=headers))
    # the dataset name keys the header lookup cache: one per profile
    return Dataset(
        f"{profile.dataset}@{profile.id}", base.domain, tuple(cols), base.period_columns, base.drop_columns, base.title
    )


def _tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise TypeError(f"expected a name or a list of names, got {value!r}")
    return tuple(str(v) for v in value)


def parse_profile(data: dict[str, Any], source: str = "") -> Profile:
    """A profile from its YAML mapping, checked: a wrong profile fails when the package loads, not on a file."""
    where = f"profile {source or data.get('id')!r}"
    for key in ("id", "nama", "dataset", "signature", "columns"):
        if key not in data:
            raise ValueError(f"{where}: '{key}' is missing")
    dataset = data["dataset"]
    if dataset not in DATASETS:
        raise ValueError(f"{where}: unknown dataset {dataset!r}")
    known = set(DATASETS[dataset].column_names)
    columns = {str(k): _tuple(v) for k, v in (data.get("columns") or {}).items()}
    extra = {str(k): _tuple(v) for k, v in (data.get("extra") or {}).items()}
    for name in columns:
        if name not in known:
            raise ValueError(f"{where}: {name!r} is not a column of {dataset}")
    for name in extra:
        if not name.startswith("_"):
            raise ValueError(f"{where}: helper column {name!r} must start with '_'")
    required = _tuple(data.get("required"))
    for name in required:
        if name not in columns and name not in extra:
            raise ValueError(f"{where}: required {name!r} is not among its columns")
    steps: list[tuple[str, dict[str, Any]]] = []
    for entry in data.get("steps") or []:
        args: Any
        if isinstance(entry, str):
            name, args = entry, {}
        elif isinstance(entry, dict) and len(entry) == 1:
            name, args = next(iter(entry.items()))
            if isinstance(args, list):
                args = {"columns": args}
            args = dict(args or {})
        else:
            raise ValueError(f"{where}: a step is a name or a one-key mapping, not {entry!r}")
        steps.append((str(name), args))
    return Profile(
        id=str(data["id"]),
        nama=str(data["nama"]),
        dataset=dataset,
        signature=tuple(parse.header_key(s) for s in _tuple(data["signature"])),
        columns=columns,
        extra=extra,
        required=required,
        steps=tuple(steps),
        sumber=str(data.get("sumber", "")),
    )


@cache
def load_profiles(folder: Path = HERE) -> tuple[Profile, ...]:
    """Every profile beside this module, most specific (longest signature) first; steps checked to exist."""
    for mod in pkgutil.iter_modules([str(folder)]):
        if mod.name.startswith("steps_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    profiles = []
    ids: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        profile = parse_profile(load_yaml(path.read_text(encoding="utf-8")), path.name)
        if profile.id in ids:
            raise ValueError(f"profile id {profile.id!r} declared twice ({path.name})")
        ids.add(profile.id)
        for name, _ in profile.steps:
            if name not in _STEPS:
                raise ValueError(f"profile {profile.id!r} ({path.name}): unknown step {name!r}")
        profiles.append(profile)
    return tuple(sorted(profiles, key=lambda p: (-len(p.signature), p.id)))


def profiles_for(dataset: str) -> tuple[Profile, ...]:
    return tuple(p for p in load_profiles() if p.dataset == dataset)


def get(profile_id: str) -> Profile:
    for p in load_profiles():
        if p.id == profile_id:
            return p
    raise KeyError(profile_id)


def recognise(dataset: str, rows: Sequence[Sequence[object]]) -> Profile | None:
    """The profile of ``dataset`` whose signature stands in one of ``rows`` (or in two stacked rows,
    for a two-row header), most specific first; None when the file is in the standard's own columns."""
    candidates = profiles_for(dataset)
    if not candidates:
        return None
    keyed = [{parse.header_key(c) for c in row if c is not None and str(c).strip()} for row in rows]
    for profile in candidates:
        want = set(profile.signature)
        for i, keys in enumerate(keyed):
            below = keyed[i + 1] if i + 1 < len(keyed) else set()
            if want <= keys or want <= keys | below:
                return profile
    return None


def apply(profile: Profile, rows: Iterable[Any], ctx: FileContext) -> Iterator[Any]:
    """Run the profile's steps on each SourceRow; yield it with canonical values, or marked set aside."""
    steps = [(_STEPS[name], args) for name, args in profile.steps]
    extra = tuple(profile.extra)
    for src in rows:
        values = dict(src.values)
        ctx.row_number = src.row_number
        reason = None
        for fn, args in steps:
            reason = fn(values, ctx, **args)
            if reason:
                break
        for name in extra:
            values.pop(name, None)
        yield replace(src, values=values, set_aside=reason or None)
    ctx.row_number = None
    for fn in ctx.at_end:
        fn(ctx)


# ---------------------------------------------------------------------------------------------
# generic steps


def blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, str) and value.strip() in {"-", "--"})
    )


@step("fill_down")
def fill_down(row: dict[str, Any], ctx: FileContext, columns: Sequence[str]) -> None:
    """A blank cell takes the value above it (cells merged down, or left blank on continuation lines)."""
    last = ctx.state.setdefault("fill_down", {})
    for name in columns:
        if blank(row.get(name)):
            if name in last:
                row[name] = last[name]
        else:
            last[name] = row[name]
    return None


@step("constant")
def constant(row: dict[str, Any], ctx: FileContext, **values: Any) -> None:
    """Columns the export never carries, the same on every row (``constant: {versi: MURNI}``)."""
    for name, value in values.items():
        if blank(row.get(name)):
            row[name] = value
    return None


@step("copy")
def copy(row: dict[str, Any], ctx: FileContext, **pairs: str) -> None:
    """``copy: {target: source}``: a column filled from another when blank."""
    for target, source in pairs.items():
        if blank(row.get(target)):
            row[target] = row.get(source)
    return None


@step("map_values")
def map_values(
    row: dict[str, Any], ctx: FileContext, column: str, values: dict[str, Any], keep_unknown: bool = True
) -> None:
    """Replace a value by its canonical code (keys compared case- and space-insensitively)."""
    table = ctx.state.setdefault(("map_values", column), {_norm(k): v for k, v in values.items()})
    value = row.get(column)
    if blank(value):
        return None
    hit = table.get(_norm(value))
    if hit is not None:
        row[column] = hit
    elif not keep_unknown:
        row[column] = None
    return None


def _norm(value: object) -> str:
    return " ".join(str(value).split()).lower()


@step("set_aside_if_blank")
def set_aside_if_blank(row: dict[str, Any], ctx: FileContext, columns: Sequence[str], reason: str) -> str | None:
    """Not a line when every one of ``columns`` is blank (a group header, a komponen detail)."""
    return reason if all(blank(row.get(c)) for c in _tuple(columns)) else None


@step("set_aside_if_match")
def set_aside_if_match(row: dict[str, Any], ctx: FileContext, column: str, pattern: str, reason: str) -> str | None:
    """Not a line when ``column`` matches ``pattern`` (a regular expression, case-insensitive)."""
    value = row.get(column)
    if value is None:
        return None
    return reason if _regex(pattern).search(str(value).strip()) else None


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _date_in(text: str) -> date | None:
    """The first date written in ``text`` in any form the standard reads (30 September 2024, 30/09/2024...)."""
    for m in _DATE_IN_TEXT.finditer(text):
        try:
            d = parse.parse_date(m.group(0))
        except parse.ParseError:
            continue
        if isinstance(d, date):
            return d
    return None


_MONTHS = (
    "januari|februari|pebruari|maret|april|mei|juni|juli|agustus|agu|agt|september|sept|sep|oktober|okt|"
    "november|nov|nopember|desember|des|jan|feb|mar|apr|jun|jul|aug|oct|dec"
)
_DATE_IN_TEXT = re.compile(
    rf"\b\d{{1,2}}[ -](?:{_MONTHS})[a-z]*[ -]\d{{4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b",
    re.IGNORECASE,
)
_PERIODE_IN_TEXT = re.compile(rf"\b(?:{_MONTHS})[a-z]*[ _-]+(\d{{4}})\b|\b(\d{{4}})[-_](\d{{2}})\b", re.IGNORECASE)
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def _texts(ctx: FileContext, where: str) -> list[str]:
    name = Path(ctx.file_name).stem.replace("_", " ")
    if where == "title":
        return list(ctx.title_lines)
    if where == "file_name":
        return [name]
    return [*ctx.title_lines, name]


@step("date_from_title")
def date_from_title(
    row: dict[str, Any], ctx: FileContext, column: str, where: str = "title_or_file_name", format: str = "date"
) -> None:
    """Fill ``column`` (when blank) from the first date in the title rows, then the file name. ``format``:
    ``date`` (ISO date), ``periode`` (YYYY-MM), ``tahun`` (YYYY). A month name and a year (``Desember
    2024``, ``2024-12``) is enough for periode; a year alone for tahun."""
    if not blank(row.get(column)):
        return None
    key = ("date_from_title", column, where, format)
    if key not in ctx.state:
        ctx.state[key] = _find_in(_texts(ctx, where), format)
    value = ctx.state[key]
    if value is not None:
        row[column] = value
    return None


def _find_in(texts: list[str], format: str) -> str | None:
    for text in texts:
        d = _date_in(text)
        if d is not None:
            return {"date": d.isoformat(), "periode": f"{d:%Y-%m}", "tahun": str(d.year)}[format]
        if format == "periode":
            m = _PERIODE_IN_TEXT.search(text)
            if m and m.group(1):
                try:
                    return parse.parse_periode(m.group(0).replace("_", " "))
                except parse.ParseError:
                    pass
            elif m:
                return f"{m.group(2)}-{m.group(3)}"
        if format == "tahun":
            m = _YEAR_IN_TEXT.search(text)
            if m:
                return m.group(1)
    return None


@step("year_of_date")
def year_of_date(row: dict[str, Any], ctx: FileContext, column: str, source: str) -> None:
    """``column`` (a year) from the date in ``source`` when blank: a realisasi export without tahun."""
    if not blank(row.get(column)):
        return None
    value = row.get(source)
    if isinstance(value, datetime | date):
        row[column] = str(value.year)
        return None
    try:
        d = parse.parse_date(value)
    except parse.ParseError:
        return None
    if isinstance(d, date):
        row[column] = str(d.year)
    return None


def first_date(text: str) -> date | None:
    """Public: the first date written in ``text`` (for domain steps)."""
    return _date_in(text)


def find_in_texts(texts: list[str], format: str) -> str | None:
    """Public: a date / periode / tahun from titles or a file name (for domain steps)."""
    return _find_in(texts, format)
