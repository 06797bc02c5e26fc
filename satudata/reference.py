"""Reference codes (kode referensi) the loader needs before dbt has run, and onboarding a pemda.

The OPD list of a pemda has one place of truth:
- the four seed cities: the dbt seed `dbt_project/seeds/opd.csv` (versioned with the project);
- every other pemda of `pemda.csv`: the current version of its onboarded list in the warehouse
  (`reference.opd`, one `reference.list_version` per file given), written by `satudata pemda add`
  or by a file dropped at `<landing>/<kode_pemda>/_referensi/opd.csv`. dbt reads the same table as
  the source `reference` (`stg_reference__opd`, unioned with the seed in `int_opd_daftar`).

A unit crosswalk (SIASN UNOR, SIPD sub-unit, UPTD, Puskesmas, sekolah, RSUD/BLUD, kecamatan,
kelurahan -> parent OPD) is onboarded the same way (`reference.unit`, `_referensi/unit.csv`,
`satudata pemda add --unit`), for seed cities too. `resolve_unit()` is the API profile steps call.

The finance OPD of a pemda (BPKAD, BAKEUDA, BPKPD, ... declared once in the seed `opd_keuangan.csv`)
may send the pemda-level datasets (those without a `kode_opd` column, e.g. `lra`) for EVERY pemda
in `pemda.csv`, with or without an onboarded OPD list.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from satudata.config import REPO_ROOT
from satudata.datasets import DATASETS

SEEDS = REPO_ROOT / "dbt_project" / "seeds"
REFERENCE_FOLDER = "_referensi"  # <landing>/<kode_pemda>/_referensi/{opd,unit}.csv
KINDS = {"opd": "opd.csv", "unit": "unit.csv"}

# SIPD-RI unit code: urusan.bidang.urusan.bidang.urusan.bidang.unit.sub_unit, e.g. 1.02.0.00.0.00.01.0000
SIPD_UNIT_CODE = re.compile(r"^\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4}$")
SINGKATAN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,39}$")  # it is also the landing folder (discover.OPD_FOLDER)
UNIT_KINDS = ("UNOR", "SUB_UNIT", "UPTD", "PUSKESMAS", "SEKOLAH", "RSUD", "BLUD", "KECAMATAN", "KELURAHAN", "LAINNYA")
# datasets about the whole pemda: no kode_opd column (derived from the dataset declarations)
PEMDA_LEVEL_DATASETS = frozenset(name for name, d in DATASETS.items() if "kode_opd" not in d.column_names)

# header texts of an onboarding file (compared lower case, spaces/underscores/dots as one space)
OPD_HEADERS = {
    "kode_opd": ("kode opd", "kode skpd", "kode unit skpd", "kode", "skpd"),
    "singkatan": ("singkatan", "akronim", "nama singkat", "folder"),
    "nama_opd": ("nama opd", "nama skpd", "nama perangkat daerah", "nama"),
    "unit_skpd": ("unit skpd", "sub unit skpd", "kode unit", "unit"),  # the SIPD SKPD/unit list
}
# the SIPD list of SKPD and units writes code and name in one cell: `1.01.2.22.0.00.02.0001 Cabang Dinas ...`
CODE_AND_NAME = re.compile(r"^(\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4})\s+(\S.*)$")
UNIT_HEADERS = {
    "nama_unit": ("nama unit", "unit", "unor", "nama unor", "nama"),
    "kode_unit": ("kode unit", "kode sub unit", "kode unor", "kode"),
    "jenis_unit": ("jenis unit", "jenis"),
    "induk": ("induk", "opd induk", "kode opd", "singkatan opd", "opd"),
}


class OnboardingError(ValueError):
    """A reference file refused as a whole; `problems` name file, row and column (Indonesian / English)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Opd:
    kode_pemda: str
    kode_opd: str
    singkatan: str
    nama_opd: str


@dataclass(frozen=True)
class Unit:
    kode_pemda: str
    nama_unit: str
    kode_unit: str | None
    jenis_unit: str
    kode_opd: str  # SIPD code of the parent OPD


# ---- seeds -------------------------------------------------------------------------------------


@cache
def opd_codes(seeds: Path = SEEDS) -> dict[tuple[str, str], set[str]]:
    """(kode_pemda, SINGKATAN) -> the codes a row may use for that OPD: its SIPD code and singkatan.
    The seed cities only; for any pemda use `folder_codes`."""
    codes: dict[tuple[str, str], set[str]] = {}
    for opd in _seed_opd(seeds):
        codes.setdefault((opd.kode_pemda, opd.singkatan.upper()), set()).update({opd.kode_opd, opd.singkatan})
    return codes


@cache
def _seed_opd(seeds: Path = SEEDS) -> tuple[Opd, ...]:
    with (seeds / "opd.csv").open(encoding="utf-8") as f:
        return tuple(Opd(r["kode_pemda"], r["kode_opd"], r["singkatan"], r["nama_opd"]) for r in csv.DictReader(f))


@cache
def seed_opd_names(seeds: Path = SEEDS) -> dict[tuple[str, str], str]:
    """(kode_pemda, SINGKATAN) -> nama_opd of the seed cities' OPDs (the warehouse's marts.dim_opd has every
    onboarded pemda's)."""
    return {(o.kode_pemda, o.singkatan.upper()): o.nama_opd for o in _seed_opd(seeds)}


@cache
def seed_pemda(seeds: Path = SEEDS) -> frozenset[str]:
    """The pemda whose OPD list is the dbt seed (the four seed cities)."""
    return frozenset(o.kode_pemda for o in _seed_opd(seeds))


@cache
def pemda_names(seeds: Path = SEEDS) -> dict[str, str]:
    """kode_pemda -> nama_pemda, every pemda of pemda.csv."""
    with (seeds / "pemda.csv").open(encoding="utf-8") as f:
        return {r["kode_pemda"]: r["nama_pemda"] for r in csv.DictReader(f)}


@cache
def finance_opd_names(seeds: Path = SEEDS) -> frozenset[str]:
    """The local names of a pemda's finance OPD (seed opd_keuangan.csv): BPKAD, BAKEUDA, BPKPD, ..."""
    with (seeds / "opd_keuangan.csv").open(encoding="utf-8") as f:
        return frozenset(r["singkatan"].strip().upper() for r in csv.DictReader(f))


# ---- one pemda's reference: its OPD list and unit crosswalk -----------------------------------------


def normalise_name(text: object) -> str:
    """A unit or OPD name for matching: upper case, punctuation as space, one space between words."""
    return " ".join(re.sub(r"[^0-9A-Z]+", " ", str(text).upper()).split())


def parent_code(kode_unit: str) -> str | None:
    """The OPD code of a SIPD sub-unit code (same unit, sub-unit 0000), or None if it is not one."""
    code = kode_unit.strip()
    if not SIPD_UNIT_CODE.match(code):
        return None
    return code[:-4] + "0000"


@dataclass
class PemdaReference:
    """The OPD list and unit crosswalk of one pemda, as the loader and the profile steps see them."""

    kode_pemda: str
    opd: tuple[Opd, ...] = ()
    units: tuple[Unit, ...] = ()
    source: str = "none"  # seed | warehouse | none (no OPD list yet)
    versions: dict[str, int] = field(default_factory=dict)  # kind -> reference.list_version id
    shas: dict[str, str] = field(default_factory=dict)  # kind -> sha256 of that version's file
    _lookup: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_code = {o.kode_opd for o in self.opd}
        for o in self.opd:  # an OPD names itself by code, singkatan and name
            self._lookup.setdefault(o.kode_opd.upper(), o.kode_opd)
            self._lookup.setdefault(o.singkatan.upper(), o.kode_opd)
            self._lookup.setdefault(normalise_name(o.nama_opd), o.kode_opd)
        for u in self.units:
            if u.kode_opd not in by_code and self.opd:
                continue  # a parent no longer in the list (checked when onboarded)
            if u.kode_unit:
                self._lookup.setdefault(u.kode_unit.upper(), u.kode_opd)
            self._lookup.setdefault(normalise_name(u.nama_unit), u.kode_opd)

    def codes_of(self, folder: str) -> set[str] | None:
        """The codes a row may use for the OPD of landing folder `folder`: its SIPD code and singkatan, and
        the SIPD codes of its units in the crosswalk (a row of the RSUD is a row of the Dinas Kesehatan)."""
        for o in self.opd:
            if o.singkatan.upper() == folder.upper():
                return {o.kode_opd, o.singkatan} | {
                    u.kode_unit for u in self.units if u.kode_opd == o.kode_opd and u.kode_unit
                }
        return None

    def resolve(self, text: object) -> str | None:
        """See `resolve_unit`."""
        if text is None:
            return None
        raw = " ".join(str(text).split())
        if not raw:
            return None
        hit = self._lookup.get(raw.upper()) or self._lookup.get(normalise_name(raw))
        if hit:
            return hit
        parent = parent_code(raw)  # a sub-unit code of a listed OPD
        if parent and parent in {o.kode_opd for o in self.opd}:
            return parent
        return None


_CURRENT: dict[str, PemdaReference] = {}


def _seed_reference(kode_pemda: str) -> PemdaReference:
    return PemdaReference(
        kode_pemda,
        tuple(o for o in _seed_opd() if o.kode_pemda == kode_pemda),
        source="seed" if kode_pemda in seed_pemda() else "none",
    )


def pemda_reference(conn: Any, kode_pemda: str) -> PemdaReference:
    """The current OPD list and crosswalk of a pemda: the seed for a seed city, else the warehouse's
    current onboarded version; the crosswalk always from the warehouse. Kept for `resolve_unit`."""
    ref = _seed_reference(kode_pemda)
    if conn is None:  # offline (`satudata check`): the seed cities' lists, no onboarded list or crosswalk
        return ref
    current = {
        kind: (version_id, sha)
        for kind, version_id, sha in conn.execute(
            "select kind, version_id, sha256 from reference.list_version where kode_pemda = %s and valid_to is null",
            (kode_pemda,),
        )
    }
    versions = {kind: v[0] for kind, v in current.items()}
    cached = _CURRENT.get(kode_pemda)
    if cached is not None and cached.versions == versions and cached.shas == {k: v[1] for k, v in current.items()}:
        return cached  # the same lists (by id and content: a cache never outlives a warehouse's lists)
    opd = ref.opd
    if "opd" in versions and ref.source != "seed":
        opd = tuple(
            Opd(kode_pemda, *r)
            for r in conn.execute(
                "select kode_opd, singkatan, nama_opd from reference.opd where version_id = %s order by row_number",
                (versions["opd"],),
            )
        )
    units: tuple[Unit, ...] = ()
    if "unit" in versions:
        units = tuple(
            Unit(kode_pemda, *r)
            for r in conn.execute(
                "select nama_unit, kode_unit, jenis_unit, kode_opd from reference.unit where version_id = %s "
                "order by row_number",
                (versions["unit"],),
            )
        )
    source = ref.source if ref.source == "seed" else ("warehouse" if "opd" in versions else "none")
    ref = PemdaReference(kode_pemda, opd, units, source, versions)
    ref.shas = {k: v[1] for k, v in current.items()}
    _CURRENT[kode_pemda] = ref
    return ref


def use_reference(ref: PemdaReference) -> None:
    """Make `ref` the reference `resolve_unit` uses for its pemda (tests, or a caller that built one)."""
    _CURRENT[ref.kode_pemda] = ref


def resolve_unit(kode_pemda: str, text: object) -> str | None:
    """The SIPD code (`kode_opd`) of the OPD a unit belongs to, or None when the pemda's reference does
    not know the unit. Pure: reads only the reference in memory (no I/O).

    `text` may be an OPD's own SIPD code, singkatan or name; a SIPD sub-unit code (`1.02.0.00.0.00.01.0003`
    -> the OPD `1.02.0.00.0.00.01.0000` when that OPD is listed); or a unit of the crosswalk by its code or
    name (SIASN UNOR `Puskesmas Metro Pusat`, `UPTD Pengelolaan Sampah`, `SD Negeri 1 Metro`, `Kelurahan
    Hadimulyo Barat`, ...). Names match after `normalise_name` (case, punctuation and spacing ignored).

    The reference is the one the loader read for the file being loaded (`pemda_reference`, called by
    the loader's OPD check before any profile step runs), or the seed list for a seed city. A caller
    outside the loader calls `pemda_reference(conn, kode_pemda)` or `use_reference(...)` first.

    For a file-level finding, collect the texts that gave None and give them to `missing_units_reason`
    (or use `UnitResolver`, which does both): a missing unit is a warning on the file listing the
    units, never a quarantine of the rows.
    """
    ref = _CURRENT.get(kode_pemda) or _seed_reference(kode_pemda)
    return ref.resolve(text)


def missing_units_reason(kode_pemda: str, units: Iterable[str], limit: int = 20) -> str:
    """The file-level warning for units the crosswalk does not know (Indonesian / English)."""
    names = sorted({" ".join(str(u).split()) for u in units if u is not None and str(u).strip()})
    shown = ", ".join(names[:limit]) + (f", ... (+{len(names) - limit})" if len(names) > limit else "")
    return (
        f"{len(names)} unit tidak ada dalam crosswalk unit pemda {kode_pemda} (baris tetap dimuat; tambahkan "
        f"ke _referensi/unit.csv): {shown} / {len(names)} units not in the unit crosswalk of pemda "
        f"{kode_pemda} (rows kept; add them to _referensi/unit.csv): {shown}"
    )


class UnitResolver:
    """`resolve_unit` for one file, remembering the units it could not resolve.

    units = UnitResolver(ctx.kode_pemda)
    row["kode_opd"] = units.resolve(row["_unor"]) or row["_unor"]
    ...
    if units.missing: warnings.append(units.reason())
    """

    def __init__(self, kode_pemda: str):
        self.kode_pemda = kode_pemda
        self.missing: set[str] = set()

    def resolve(self, text: object) -> str | None:
        code = resolve_unit(self.kode_pemda, text)
        if code is None and text is not None and str(text).strip():
            self.missing.add(" ".join(str(text).split()))
        return code

    def reason(self) -> str | None:
        return missing_units_reason(self.kode_pemda, self.missing) if self.missing else None

    def publish(self, warnings: list[str]) -> None:
        """Keep this file's one missing-units warning in `warnings` up to date (added once, then replaced)."""
        reason = self.reason()
        if reason is None:
            return
        if self._slot is not None and self._slot < len(warnings) and warnings[self._slot] == self._published:
            warnings[self._slot] = reason
        else:
            self._slot = len(warnings)
            warnings.append(reason)
        self._published = reason

    _slot: int | None = None
    _published: str | None = None


def resolve_unit_in_file(ctx: Any, text: object) -> str | None:
    """`resolve_unit` for a profile step: `ctx` is the step's FileContext (kode_pemda, state, warnings).
    A unit the crosswalk does not know gives None, and the file gets ONE warning in `ctx.warnings`
    listing every missing unit (a file-level finding; the rows are not quarantined for it):

        @step("kode_opd_from_unor")
        def kode_opd_from_unor(row, ctx, column="_unor"):
            row["kode_opd"] = resolve_unit_in_file(ctx, row.get(column)) or row.get("kode_opd")
    """
    resolver = ctx.state.get("_unit_resolver")
    if resolver is None:
        resolver = ctx.state["_unit_resolver"] = UnitResolver(ctx.kode_pemda or "")
    code = resolver.resolve(text)
    if code is None:
        resolver.publish(ctx.warnings)
    return code


# ---- the loader's OPD check ------------------------------------------------------------------------


def folder_codes(conn: Any, kode_pemda: str, folder: str, dataset: str) -> set[str] | None:
    """The codes a row of this file may use for its OPD, or None when the folder is not an OPD of the
    pemda: an OPD of its list (seed or onboarded), or its finance OPD under a local name (BPKAD,
    BAKEUDA, ...) sending a pemda-level dataset (`lra`), for any pemda of pemda.csv."""
    ref = pemda_reference(conn, kode_pemda)
    codes = ref.codes_of(folder)
    if (
        codes is None
        and dataset in PEMDA_LEVEL_DATASETS
        and kode_pemda in pemda_names()
        and folder.upper() in finance_opd_names()
    ):
        codes = {folder}
    return codes


def unknown_folder_reason(relpath: str, kode_pemda: str, folder: str) -> str:
    """Why a file's OPD folder is refused, and what to do (Indonesian / English)."""
    if kode_pemda not in pemda_names():
        return f"{relpath}: pemda {kode_pemda} is not in pemda.csv / pemda {kode_pemda} tidak ada di pemda.csv"
    if kode_pemda in seed_pemda():
        how_en = "its OPD list is dbt_project/seeds/opd.csv"
        how_id = "daftar OPD-nya di dbt_project/seeds/opd.csv"
    else:
        how_en = (
            f"onboard it: satudata pemda add {kode_pemda} --opd FILE, or drop {kode_pemda}/{REFERENCE_FOLDER}/opd.csv"
        )
        how_id = f"daftarkan lewat {kode_pemda}/{REFERENCE_FOLDER}/opd.csv atau satudata pemda add"
    return (
        f"{relpath}: OPD folder {folder!r} is not in the reference list of pemda {kode_pemda} ({how_en}) / "
        f"folder OPD {folder!r} tidak ada dalam daftar OPD pemda {kode_pemda} ({how_id})"
    )


# ---- onboarding: read and validate a list, keep it as a new version -----------------------------


def _key(text: str) -> str:
    return " ".join(re.sub(r"[\s_.\-/]+", " ", text.strip().lower()).split())


def _read_rows(data: bytes, file_name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(row number in the file, cells)]) of a CSV (`;` `,` or tab; UTF-8 with or without BOM,
    else Windows-1252). Blank rows are skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if not first:
        raise OnboardingError([f"{file_name}: the file is empty / berkas kosong"])
    delimiter = max(";,\t", key=first.count)
    records = enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)
    rows = [(n, [c.strip() for c in cells]) for n, cells in records if any(c.strip() for c in cells)]
    return rows[0][1], rows[1:]


def _columns(
    header: list[str], wanted: dict[str, tuple[str, ...]], required: Iterable[str], file_name: str
) -> dict[str, int]:
    keys = [_key(h) for h in header]
    found: dict[str, int] = {}
    for name, aliases in wanted.items():
        for alias in (_key(name), *aliases):
            if alias in keys and keys.index(alias) not in found.values():
                found[name] = keys.index(alias)
                break
    missing = [c for c in required if c not in found]
    if missing:
        raise OnboardingError(
            [
                f"{file_name} row 1: missing column(s) {', '.join(missing)} (header: {'; '.join(header)}) / "
                f"{file_name} baris 1: kolom {', '.join(missing)} tidak ada"
            ]
        )
    return found


def _pemda_problem(kode_pemda: str, file_name: str, kind: str) -> str | None:
    if kode_pemda not in pemda_names():
        return (
            f"{file_name}: pemda {kode_pemda} is not in pemda.csv (Kemendagri code like 35.07) / "
            f"{file_name}: pemda {kode_pemda} tidak ada di pemda.csv"
        )
    if kind == "opd" and kode_pemda in seed_pemda():
        return (
            f"{file_name}: pemda {kode_pemda} is a seed city; its OPD list is dbt_project/seeds/opd.csv / "
            f"{file_name}: pemda {kode_pemda} kota contoh; daftar OPD-nya di dbt_project/seeds/opd.csv"
        )
    return None


def parse_opd_list(kode_pemda: str, data: bytes, file_name: str = "opd.csv") -> list[Opd]:
    """Validate an OPD list (`kode_opd;singkatan;nama_opd`, or the SIPD SKPD/unit list with those columns
    under its own names). Raises OnboardingError listing every problem with file, row and column."""
    problem = _pemda_problem(kode_pemda, file_name, "opd")
    if problem:
        raise OnboardingError([problem])
    header, rows = _read_rows(data, file_name)
    cols = _columns(header, OPD_HEADERS, ("kode_opd", "singkatan"), file_name)
    problems: list[str] = []
    out: list[Opd] = []
    seen_code: dict[str, int] = {}
    seen_short: dict[str, int] = {}
    for n, cells in rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            i = cols.get(name)
            return " ".join(cells[i].split()) if i is not None and i < len(cells) else ""

        kode, named = split_code_and_name(cell("kode_opd"))
        short, nama = cell("singkatan").upper(), cell("nama_opd") or named
        unit_code = split_code_and_name(cell("unit_skpd"))[0]
        if unit_code and unit_code != kode:
            continue  # a unit of the SKPD in the SIPD list: it belongs in the crosswalk (unit.csv)
        where = f"{file_name} row {n}"
        di = f"{file_name} baris {n}"
        if not SIPD_UNIT_CODE.match(kode):
            problems.append(
                f"{where} column kode_opd: {kode!r} is not a SIPD unit code x.xx.x.xx.x.xx.xx.xxxx / "
                f"{di} kolom kode_opd: {kode!r} bukan kode unit SIPD x.xx.x.xx.x.xx.xx.xxxx"
            )
        elif kode in seen_code:
            problems.append(
                f"{where} column kode_opd: {kode} repeats row {seen_code[kode]} / "
                f"{di} kolom kode_opd: {kode} sudah ada di baris {seen_code[kode]}"
            )
        else:
            seen_code[kode] = n
        if not SINGKATAN.match(short):
            problems.append(
                f"{where} column singkatan: {short!r} is not a singkatan (A-Z, 0-9, _ or -, it is the "
                f"landing folder) / {di} kolom singkatan: {short!r} bukan singkatan (A-Z, 0-9, _ atau -)"
            )
        elif short in seen_short:
            problems.append(
                f"{where} column singkatan: {short} repeats row {seen_short[short]} / "
                f"{di} kolom singkatan: {short} sudah ada di baris {seen_short[short]}"
            )
        else:
            seen_short[short] = n
        if not nama:
            problems.append(f"{where} column nama_opd: empty / {di} kolom nama_opd: kosong")
        out.append(Opd(kode_pemda, kode, short, nama))
    if not rows:
        problems.append(f"{file_name}: no rows under the header / tidak ada baris di bawah judul kolom")
    if problems:
        raise OnboardingError(problems)
    return out


def split_code_and_name(text: str) -> tuple[str, str]:
    """`1.02.0.00.0.00.01.0000 Dinas Kesehatan` -> (code, name); any other text -> (text, "")."""
    m = CODE_AND_NAME.match(text.strip())
    return (m.group(1), m.group(2).strip()) if m else (text.strip(), "")


def _sipd_units(header: list[str], rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]] | None:
    """The rows of a SIPD SKPD/unit list (columns `skpd` and `unit_skpd`, each `code name`) in the
    crosswalk's columns (nama_unit, kode_unit, jenis_unit, induk), row numbers kept: every unit that
    is not the SKPD itself is a SUB_UNIT of it. None when the file is not that list."""
    keys = [_key(h) for h in header]
    if "skpd" not in keys or "unit skpd" not in keys or "jenis unit" in keys or "jenis" in keys:
        return None
    i, j = keys.index("skpd"), keys.index("unit skpd")
    out = []
    for n, cells in rows:
        skpd = split_code_and_name(cells[i] if i < len(cells) else "")[0]
        code, name = split_code_and_name(cells[j] if j < len(cells) else "")
        if code and code != skpd:
            out.append((n, [name, code, "SUB_UNIT", skpd]))
    return out


def parse_unit_list(kode_pemda: str, data: bytes, opd: Iterable[Opd], file_name: str = "unit.csv") -> list[Unit]:
    """Validate a unit crosswalk (`nama_unit;kode_unit;jenis_unit;induk`; induk = the parent OPD's SIPD
    code or singkatan, in the pemda's current OPD list `opd`). Raises OnboardingError."""
    problem = _pemda_problem(kode_pemda, file_name, "unit")
    if problem:
        raise OnboardingError([problem])
    parents: dict[str, str] = {}
    for o in opd:
        parents[o.kode_opd.upper()] = parents[o.singkatan.upper()] = o.kode_opd
    if not parents:
        raise OnboardingError(
            [
                f"{file_name}: pemda {kode_pemda} has no OPD list yet: add opd.csv first / "
                f"pemda {kode_pemda} belum punya daftar OPD: daftarkan opd.csv lebih dulu"
            ]
        )
    header, rows = _read_rows(data, file_name)
    sipd = _sipd_units(header, rows)
    if sipd is not None:  # the SIPD list of SKPD and units, read in the crosswalk's own columns
        header, rows = ["nama_unit", "kode_unit", "jenis_unit", "induk"], sipd
    cols = _columns(header, UNIT_HEADERS, ("nama_unit", "jenis_unit", "induk"), file_name)
    problems: list[str] = []
    out: list[Unit] = []
    seen: dict[str, int] = {}
    for n, cells in rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            i = cols.get(name)
            return " ".join(cells[i].split()) if i is not None and i < len(cells) else ""

        nama, kode, jenis, induk = (
            cell("nama_unit"),
            cell("kode_unit") or None,
            cell("jenis_unit").upper(),
            cell("induk"),
        )
        where, di = f"{file_name} row {n}", f"{file_name} baris {n}"
        if not nama:
            problems.append(f"{where} column nama_unit: empty / {di} kolom nama_unit: kosong")
        if kode is not None and not SIPD_UNIT_CODE.match(kode):
            problems.append(
                f"{where} column kode_unit: {kode!r} is not a SIPD unit code x.xx.x.xx.x.xx.xx.xxxx / "
                f"{di} kolom kode_unit: {kode!r} bukan kode unit SIPD"
            )
        if jenis not in UNIT_KINDS:
            problems.append(
                f"{where} column jenis_unit: {jenis!r} is not one of {', '.join(UNIT_KINDS)} / "
                f"{di} kolom jenis_unit: {jenis!r} bukan salah satu dari {', '.join(UNIT_KINDS)}"
            )
        parent = parents.get(induk.upper())
        if parent is None:
            problems.append(
                f"{where} column induk: {induk!r} is not an OPD of pemda {kode_pemda} / "
                f"{di} kolom induk: {induk!r} bukan OPD pemda {kode_pemda}"
            )
        for key in filter(None, (normalise_name(nama) if nama else None, kode)):
            if key in seen:
                problems.append(
                    f"{where}: unit {key!r} repeats row {seen[key]} / {di}: unit {key!r} sudah ada di baris {seen[key]}"
                )
            else:
                seen[key] = n
        out.append(Unit(kode_pemda, nama, kode, jenis, parent or ""))
    if not rows:
        problems.append(f"{file_name}: no rows under the header / tidak ada baris di bawah judul kolom")
    if problems:
        raise OnboardingError(problems)
    return out


def onboard(conn: Any, kode_pemda: str, kind: str, data: bytes, file_name: str, run_id: str | None = None) -> dict:
    """Validate a reference file and keep it as the pemda's new current version of `kind` (`opd` or
    `unit`): the previous version gets valid_to and stays (history). The same content as the current
    version changes nothing. Returns {version_id, status: added|unchanged, rows}. Raises OnboardingError.
    Runs in the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    sha = hashlib.sha256(data).hexdigest()
    if kind == "opd":
        items: list[Any] = parse_opd_list(kode_pemda, data, file_name)
    else:
        items = parse_unit_list(kode_pemda, data, pemda_reference(conn, kode_pemda).opd, file_name)
    conn.execute("select pg_advisory_xact_lock(72710010, hashtext(%s))", (kode_pemda,))
    current = conn.execute(
        "select version_id, sha256 from reference.list_version where kode_pemda = %s and kind = %s "
        "and valid_to is null",
        (kode_pemda, kind),
    ).fetchone()
    if current and current[1] == sha:
        return {"version_id": current[0], "status": "unchanged", "rows": len(items)}
    if current:  # ends before the new one starts (one current version per pemda x kind)
        conn.execute("update reference.list_version set valid_to = now() where version_id = %s", (current[0],))
    version_id = conn.execute(
        "insert into reference.list_version (kode_pemda, kind, sha256, file_name, row_count, run_id) "
        "values (%s, %s, %s, %s, %s, %s) returning version_id",
        (kode_pemda, kind, sha, file_name, len(items), run_id),
    ).fetchone()[0]
    if current:
        conn.execute(
            "update reference.list_version set superseded_by = %s where version_id = %s", (version_id, current[0])
        )
    with conn.cursor() as cur:
        if kind == "opd":
            cur.executemany(
                "insert into reference.opd (version_id, kode_pemda, row_number, kode_opd, singkatan, nama_opd) "
                "values (%s, %s, %s, %s, %s, %s)",
                [(version_id, kode_pemda, i, o.kode_opd, o.singkatan, o.nama_opd) for i, o in enumerate(items, 1)],
            )
        else:
            cur.executemany(
                "insert into reference.unit (version_id, kode_pemda, row_number, nama_unit, kode_unit, jenis_unit, "
                "kode_opd) values (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (version_id, kode_pemda, i, u.nama_unit, u.kode_unit, u.jenis_unit, u.kode_opd)
                    for i, u in enumerate(items, 1)
                ],
            )
    _CURRENT.pop(kode_pemda, None)
    return {"version_id": version_id, "status": "added", "rows": len(items)}


def reference_drop(relpath: str) -> tuple[str, str] | None:
    """(kode_pemda, kind) when `relpath` is a reference file drop `<kode_pemda>/_referensi/opd.csv|unit.csv`."""
    parts = Path(relpath).parts
    if len(parts) != 3 or parts[1] != REFERENCE_FOLDER:
        return None
    for kind, name in KINDS.items():
        if parts[2].lower() == name:
            return parts[0], kind
    return None
