"""Steps of the SIPD budget export profiles (anggaran, realisasi_belanja): what the layouts of SIPD-RI and
SIPD Penatausahaan need beyond the generic steps.

- ``versi_from_title``: the tahapan (MURNI / PERUBAHAN / PERGESERAN_n) from the title rows or the file name,
  when the export has no column for it (Rekap Penetapan APBD, DPA / DPPA prints).
- ``kode_opd_from_title``: the SKPD code written in the title (``Organisasi : 1.02.0.00.0.00.01.0000 - ...``).
- ``sipd_rincian_belanja``: a DPA / DPPA "Rincian Belanja" print. Group-header rows (``Sub Kegiatan : <kode> -
  <nama>``, ``Sumber Pendanaan : DAU``, ...) give the sub kegiatan and sumber dana of the rows under them;
  of the account rows, the sub rincian objek (six levels, ``5.1.02.01.01.0024``) is the line; the five levels
  above it, the ``[#]`` paket and ``[-]`` keterangan rows and the komponen rows under a line are set aside,
  each with its reason. Every parent is checked against the sum of its children (a parent account against
  the accounts one level down, a line against its komponen): a difference is a file-level warning naming
  the row.
- ``sipd_sp2d_register``: a register of SP2D with the SP2D's own columns merged down over one row per
  rekening. A row with an SPM and no SP2D is an SPM not yet paid (set aside); the rows under an SP2D take its
  number, date and jenis; Nilai SP2D (the whole SP2D) is checked against the sum of its lines' Jumlah.
- ``jenis_sp2d_from_nomor``: UP / GU / TU / LS from the SP2D number (``.../LS/...``) when the column is blank.
- ``rekening_sipd_ri``: a kode rekening SIPD-RI writes wide (``5.1.02.01.001.00024``) in the widths of the
  chart and the row checks (``5.1.02.01.01.0024``).

Why the sub rincian objek is the line of a print: every level of a SIPD print carries the total of what is
under it, and the komponen rows (standar harga x koefisien) are the detail of one sub rincian objek; the
standard's anggaran line is a sub kegiatan x rekening, so the six-level row is loaded, with the pagu the
print shows for it, and its komponen are a check on it, never added to it. A rekap that has only komponen
rows (SIPD-RI Rekap Penetapan APBD) loads each komponen row as a line of its sub kegiatan x rekening: the
raw table keeps them, and everything downstream sums by sub kegiatan x rekening.

The checks write to ``FileContext.warnings`` (the loader adds them to the file's reasons) and name the row
by ``FileContext.row_number``; the blocks still open after the last row (the last sub kegiatan, the last
SP2D) are checked by the engine once the rows are exhausted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from satudata.extract.profiles import FileContext, blank, step
from satudata.rules.codes import rekening_well_formed

TOLERANCE = Decimal("0.01")

# ---------------------------------------------------------------------------------------------
# versi (tahapan APBD) and the OPD from the title

# checked in this order: "Penetapan Perubahan APBD" is PERUBAHAN, "Penetapan APBD" is MURNI
_PERUBAHAN_RE = re.compile(r"\b(?:perubahan|dppa|apbd[\s-]*p|p[\s-]*apbd|apbdp)\b", re.IGNORECASE)
_PERGESERAN_RE = re.compile(r"\bpergeseran(?:\s*(?:ke)?[\s-]*(\d))?", re.IGNORECASE)
_MURNI_RE = re.compile(r"\b(?:penetapan|murni|induk|dpa|apbd)\b", re.IGNORECASE)


def versi_of(texts: Sequence[str]) -> str | None:
    """The tahapan named in titles or a file name: PERUBAHAN, PERGESERAN_n, MURNI; None when none is."""
    for pattern, make in (
        (_PERUBAHAN_RE, lambda m: "PERUBAHAN"),
        (_PERGESERAN_RE, lambda m: f"PERGESERAN_{m.group(1) or 1}"),
        (_MURNI_RE, lambda m: "MURNI"),
    ):
        for text in texts:
            if m := pattern.search(text):
                return make(m)
    return None


def _title_and_name(ctx: FileContext) -> list[str]:
    return [*ctx.title_lines, Path(ctx.file_name).stem.replace("_", " ")]


@step("versi_from_title")
def versi_from_title(row: dict[str, Any], ctx: FileContext, column: str = "versi", default: str | None = None) -> None:
    """``versi`` (when blank) from the title rows, then the file name, else ``default`` (a layout that is
    itself one tahapan: the Sebelum / Setelah Perubahan columns of a DPPA). A file that names no tahapan
    and has no default is refused as a whole: every row would lack it."""
    if not blank(row.get(column)):
        return None
    if "versi" not in ctx.state:
        ctx.state["versi"] = versi_of(_title_and_name(ctx)) or default
    if ctx.state["versi"] is None:
        from satudata.extract.readers import FileRejected  # the readers import this package

        raise FileRejected(
            f"Berkas '{ctx.file_name}': tahapan anggaran (murni / pergeseran / perubahan) tidak ditemukan di judul "
            "maupun nama berkas; tuliskan, mis. 'DPPA 2025.xlsx' atau 'Penetapan APBD 2025.xlsx'. / File "
            f"'{ctx.file_name}': no tahapan (murni / pergeseran / perubahan) in its title or name.",
            "missing_columns",
        )
    row[column] = ctx.state["versi"]
    return None


_KODE_OPD_IN_TITLE = re.compile(
    r"\b(?:organisasi|skpd|perangkat daerah|unit)\s*:\s*(\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}"
    r"\.\d{2}\.\d{4})",
    re.IGNORECASE,
)


@step("kode_opd_from_title")
def kode_opd_from_title(row: dict[str, Any], ctx: FileContext) -> None:
    """``kode_opd`` (when blank) from ``Organisasi : 1.02.0.00.0.00.01.0000 - ...`` / ``SKPD : ...`` in the
    title, so the row checks compare it with the OPD folder (REF-001)."""
    if not blank(row.get("kode_opd")):
        return None
    if "kode_opd" not in ctx.state:
        found = (_KODE_OPD_IN_TITLE.search(t) for t in ctx.title_lines)
        ctx.state["kode_opd"] = next((m.group(1) for m in found if m), None)
    if ctx.state["kode_opd"]:
        row["kode_opd"] = ctx.state["kode_opd"]
    return None


# ---------------------------------------------------------------------------------------------
# kode rekening as SIPD-RI writes it

# SIPD-RI writes the rincian objek with three digits and the sub rincian objek with five (5.1.02.01.001.00024,
# 5.1.02.01.001.00052 Belanja Makanan dan Minuman Rapat: so do the public tools that read its exports and
# prints); the chart and the row checks (REK-001) use the Kepmendagri 050-5889/2021 widths
# (5.1.02.01.01.0024, 5.1.02.01.01.0052 Belanja Makanan dan Minuman Rapat): the same account, the numbers
# unchanged. A number that does not fit the narrow widths is left as written (REK-001 names it).
_WIDE_REKENING_RE = re.compile(r"^(\d\.\d\.\d{2}\.\d{2})\.0(\d{2})(?:\.0(\d{4}))?$")


def narrow_rekening(code: object) -> object:
    """``5.1.02.01.001.00024`` -> ``5.1.02.01.01.0024``, ``5.1.02.01.001`` -> ``5.1.02.01.01``; anything else
    (already narrow, or a wide code whose numbers do not fit the narrow widths) unchanged."""
    if not isinstance(code, str):
        return code
    m = _WIDE_REKENING_RE.match(code.strip())
    if not m:
        return code
    return f"{m.group(1)}.{m.group(2)}" + (f".{m.group(3)}" if m.group(3) else "")


@step("rekening_sipd_ri")
def rekening_sipd_ri(row: dict[str, Any], ctx: FileContext, column: str = "kode_rekening") -> None:
    """The kode rekening in the chart's widths when SIPD-RI wrote it wide (see narrow_rekening)."""
    row[column] = narrow_rekening(row.get(column))
    return None


# ---------------------------------------------------------------------------------------------
# DPA / DPPA Rincian Belanja print

LINE_LEVEL = 6  # sub rincian objek: akun.kelompok.jenis.objek.rincian.sub rincian
# the labels of the header rows of a print block; "Label : value" with any other label is a header row too
_GROUP_LABELS = (
    "sub kegiatan",
    "sumber pendanaan",
    "sumber dana",
    "lokasi",
    "keluaran sub kegiatan",
    "waktu pelaksanaan",
    "kelompok sasaran",
    "program",
    "kegiatan",
    "urusan pemerintahan",
    "bidang urusan",
    "organisasi",
    "unit organisasi",
    "sub unit organisasi",
)
_GROUP_RE = re.compile(
    r"^\s*(" + "|".join(sorted(_GROUP_LABELS, key=len, reverse=True)) + r")\b\s*:?\s*(.*)$"
    r"|^\s*([A-Za-z][A-Za-z /()]*?)\s*:\s*(.*)$",
    re.IGNORECASE,
)
_SUB_KEGIATAN_RE = re.compile(r"^\s*([0-9X]\.[0-9X]{2}\.\d{2}\.\d\.\d{2}\.\d{4})\s*[-–:]?\s*(.*)$")
# program (U.BB.PP) and kegiatan (U.BB.PP.2.KK) rows written with their code in the Kode Rekening column
_PROGRAM_KEGIATAN_RE = re.compile(r"^[0-9X]\.[0-9X]{2}(?:\.\d{2}(?:\.\d\.\d{2})?)?$")

SET_ASIDE_PARENT = "baris rekening induk (level {level}), bukan baris anggaran / parent account row (level {level})"
SET_ASIDE_PAKET = "baris paket [#], bukan baris anggaran / [#] package row"
SET_ASIDE_KETERANGAN = "baris keterangan [-], bukan baris anggaran / [-] note row"
SET_ASIDE_KOMPONEN = (
    "baris komponen (rincian harga satuan), sudah termasuk dalam rekening sub rincian di atasnya / "
    "komponen detail row, included in the sub rincian account above it"
)
SET_ASIDE_SUB_KEGIATAN = "baris judul sub kegiatan / sub kegiatan header row"
SET_ASIDE_GROUP = "baris judul kelompok ({label}) / group header row"
SET_ASIDE_PROGRAM = "baris program / kegiatan (induk sub kegiatan) / program or kegiatan row"


@dataclass
class _Node:
    """An account row still open: its value as printed, and what its children add up to so far."""

    kode: str
    level: int
    uraian: str
    value: Decimal | None
    row: int | None
    children: Decimal = Decimal(0)
    counted: int = 0  # children seen
    what: str = "rekening"  # what its children are: "rekening" one level down, or "komponen"


@dataclass
class _Print:
    sub_kegiatan: str | None = None
    open: list[_Node] = field(default_factory=list)


def at_end(ctx: FileContext, fn: Any) -> None:
    """Ask for ``fn(ctx)`` once the rows are exhausted: the last block of a file has no row after it that
    closes it (the engine runs it after the last row)."""
    ctx.once_at_end(fn)


def _state(ctx: FileContext) -> _Print:
    found = ctx.state.get("sipd_rincian_belanja")
    if found is None:
        found = ctx.state["sipd_rincian_belanja"] = _Print()
        at_end(ctx, finish_rincian)
    return found


def _level(kode: str) -> int:
    return kode.count(".") + 1


def _rupiah(value: Decimal) -> str:
    text = f"{abs(value):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".").removesuffix(",00")
    return f"-{text}" if value < 0 else text


def _close(node: _Node, sub_kegiatan: str | None, ctx: FileContext) -> None:
    if node.counted == 0 or node.value is None or abs(node.value - node.children) <= TOLERANCE:
        return
    where = f"baris {node.row}: " if node.row else ""
    where_en = f"row {node.row}: " if node.row else ""
    children = "rekening di bawahnya" if node.what == "rekening" else "komponennya"
    ctx.warnings.append(
        f"{where}rekening {node.kode} ({node.uraian}) sub kegiatan {sub_kegiatan or '-'}: nilai {_rupiah(node.value)} "
        f"tidak sama dengan jumlah {children} {_rupiah(node.children)} (selisih {_rupiah(node.value - node.children)}) "
        f"/ {where_en}account {node.kode} of sub kegiatan {sub_kegiatan or '-'}: {_rupiah(node.value)} differs from "
        f"the sum of its {'accounts' if node.what == 'rekening' else 'komponen'} {_rupiah(node.children)}"
    )


def _close_until(state: _Print, ctx: FileContext, kode: str | None) -> None:
    """Close the open accounts that are not ancestors of ``kode`` (all of them for None)."""
    while state.open and (kode is None or not kode.startswith(state.open[-1].kode + ".")):
        _close(state.open.pop(), state.sub_kegiatan, ctx)


def finish_rincian(ctx: FileContext) -> None:
    """Check the accounts still open at the end of the file (call when the rows are exhausted)."""
    state = ctx.state.get("sipd_rincian_belanja")
    if state is not None:
        _close_until(state, ctx, None)


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _fill_block(row: dict[str, Any], ctx: FileContext) -> None:
    """The sub kegiatan and sumber dana of the block header above the row."""
    sub = ctx.state.get("sub_kegiatan")
    if sub is not None:
        if blank(row.get("kode_sub_kegiatan")):
            row["kode_sub_kegiatan"], row["nama_sub_kegiatan"] = sub
        if blank(row.get("sumber_dana")) and ctx.state.get("sumber_dana"):
            row["sumber_dana"] = ctx.state["sumber_dana"]


def _start_sub_kegiatan(state: _Print, ctx: FileContext, kode: str, nama: str | None) -> str:
    _close_until(state, ctx, None)
    state.sub_kegiatan = kode
    ctx.state["sub_kegiatan"] = (kode, nama or None)
    ctx.state["sumber_dana"] = None
    return SET_ASIDE_SUB_KEGIATAN


@step("sipd_rincian_belanja")
def sipd_rincian_belanja(
    row: dict[str, Any],
    ctx: FileContext,
    code_column: str = "kode_rekening",
    uraian_column: str = "uraian_rekening",
    value_column: str = "pagu",
    komponen_value: str | None = None,
) -> str | None:
    """One row of a DPA / DPPA Rincian Belanja print (see the module doc): returns the reason when the row
    is not a budget line; fills kode_sub_kegiatan, nama_sub_kegiatan and sumber_dana from the group
    headers above it. ``komponen_value``: the column of a komponen row's amount when it is not
    ``value_column``."""
    state = _state(ctx)
    kode, uraian = _text(row.get(code_column)), _text(row.get(uraian_column))
    number = getattr(ctx, "row_number", None)
    if kode and not rekening_well_formed(kode):
        if m := _SUB_KEGIATAN_RE.match(kode):  # the sub kegiatan as a row: code | name
            return _start_sub_kegiatan(state, ctx, m.group(1), m.group(2) or uraian)
        if _PROGRAM_KEGIATAN_RE.match(kode):
            _close_until(state, ctx, None)
            return SET_ASIDE_PROGRAM
        # "Sub Kegiatan : 1.02... - name" in one cell, or "Sub Kegiatan" | ": 1.02... - name" across two
        group = _GROUP_RE.match(f"{kode} {uraian}".strip())
        if group:
            label = (group.group(1) or group.group(3)).strip()
            rest = (group.group(2) if group.group(1) else group.group(4)).strip(" :")
            if label.lower() == "sub kegiatan":
                m = _SUB_KEGIATAN_RE.match(rest)
                return _start_sub_kegiatan(state, ctx, m.group(1) if m else rest, (m.group(2) if m else None))
            if label.lower().startswith("sumber"):
                ctx.state["sumber_dana"] = rest or None
            return SET_ASIDE_GROUP.format(label=label)
        _fill_block(row, ctx)
        return None  # not a code at all: left in, the row checks say what is wrong with it
    _fill_block(row, ctx)
    if not kode:
        if uraian.startswith("[#]"):
            return SET_ASIDE_PAKET
        if uraian.startswith("[-]"):
            return SET_ASIDE_KETERANGAN
        line = state.open[-1] if state.open and state.open[-1].level == LINE_LEVEL else None
        if line is not None:
            amount = ctx.number(row.get(komponen_value or value_column), komponen_value or value_column)
            if amount is not None:
                line.children += amount
                line.counted += 1
                line.what = "komponen"
        return SET_ASIDE_KOMPONEN
    _close_until(state, ctx, kode)
    level = _level(kode)
    value = ctx.number(row.get(value_column), value_column)
    if state.open and value is not None:
        parent = state.open[-1]
        parent.children += value
        parent.counted += 1
    state.open.append(_Node(kode, level, uraian, value, number))
    if level < LINE_LEVEL:
        return SET_ASIDE_PARENT.format(level=level)
    return None


# ---------------------------------------------------------------------------------------------
# SP2D

_JENIS_IN_NOMOR = re.compile(r"/(UP|GU|TU|LS)(?:/|$)", re.IGNORECASE)


def jenis_of_nomor(nomor: object) -> str | None:
    """UP / GU / TU / LS written in an SP2D (or SPM) number: ``18.72/04.0/000002/LS/1.02.0.00.0.00.01.0000/01/2025``."""
    m = _JENIS_IN_NOMOR.search(str(nomor)) if not blank(nomor) else None
    return m.group(1).upper() if m else None


@step("jenis_sp2d_from_nomor")
def jenis_sp2d_from_nomor(
    row: dict[str, Any], ctx: FileContext, column: str = "jenis_sp2d", source: str = "nomor_sp2d"
) -> None:
    """``jenis_sp2d`` (when blank) from the SP2D number."""
    if blank(row.get(column)):
        jenis = jenis_of_nomor(row.get(source))
        if jenis:
            row[column] = jenis
    return None


SET_ASIDE_SPM = "SPM belum diterbitkan SP2D (belum dibayar), bukan realisasi / SPM without an SP2D yet (not paid)"
SET_ASIDE_UP = (
    "SP2D {jenis} tanpa sub kegiatan dan rekening: uang muka ke bendahara, bukan baris belanja / "
    "{jenis} SP2D without sub kegiatan and rekening: an advance, not a spending line"
)
_SP2D_COLUMNS = ("nomor_sp2d", "tanggal_sp2d", "jenis_sp2d")


@dataclass
class _Sp2d:
    nomor_spm: str | None
    values: dict[str, Any]
    nilai: Decimal | None  # Nilai SP2D as written (the whole SP2D)
    row: int | None
    lines: Decimal = Decimal(0)
    counted: int = 0


def _close_sp2d(sp2d: _Sp2d | None, ctx: FileContext) -> None:
    if sp2d is None or sp2d.nilai is None or sp2d.counted < 1 or abs(sp2d.nilai - sp2d.lines) <= TOLERANCE:
        return
    nomor = sp2d.values.get("nomor_sp2d")
    where = f"baris {sp2d.row}: " if sp2d.row else ""
    where_en = f"row {sp2d.row}: " if sp2d.row else ""
    ctx.warnings.append(
        f"{where}Nilai SP2D {nomor} {_rupiah(sp2d.nilai)} tidak sama dengan jumlah rinciannya {_rupiah(sp2d.lines)} "
        f"(selisih {_rupiah(sp2d.nilai - sp2d.lines)}); yang dimuat adalah Jumlah per rekening / {where_en}SP2D "
        f"{nomor}: Nilai SP2D {_rupiah(sp2d.nilai)} differs from the sum of its lines {_rupiah(sp2d.lines)}; the "
        "amount per rekening is what is loaded"
    )


def finish_sp2d(ctx: FileContext) -> None:
    """Check the last SP2D of the file (call when the rows are exhausted)."""
    _close_sp2d(ctx.state.pop("sipd_sp2d", None), ctx)


@step("sipd_sp2d_register")
def sipd_sp2d_register(
    row: dict[str, Any], ctx: FileContext, nomor_spm: str = "_nomor_spm", nilai_sp2d: str = "_nilai_sp2d"
) -> str | None:
    """One row of an SP2D register (see the module doc). A row with its own SPM number starts an SPM; rows
    with neither an SPM nor an SP2D number continue the one above (cells merged down, or left blank);
    an SPM without an SP2D is set aside with its lines."""
    current: _Sp2d | None = ctx.state.get("sipd_sp2d")
    spm, nomor = row.get(nomor_spm), row.get("nomor_sp2d")
    new_spm = not blank(spm) and (current is None or _text(spm) != current.nomor_spm)
    new_sp2d = not blank(nomor) and (current is None or _text(nomor) != _text(current.values.get("nomor_sp2d")))
    if current is None or new_spm or new_sp2d:
        _close_sp2d(current, ctx)
        at_end(ctx, finish_sp2d)
        current = _Sp2d(
            _text(spm) or None,
            {c: row.get(c) for c in _SP2D_COLUMNS},
            ctx.number(row.get(nilai_sp2d), nilai_sp2d),
            getattr(ctx, "row_number", None),
        )
        ctx.state["sipd_sp2d"] = current
    else:
        for c in _SP2D_COLUMNS:
            if blank(row.get(c)):
                row[c] = current.values.get(c)
    if blank(row.get("nomor_sp2d")):
        return SET_ASIDE_SPM
    jenis_sp2d_from_nomor(row, ctx)
    amount = ctx.number(row.get("nilai"), "nilai")
    if amount is not None:
        current.lines += amount
        current.counted += 1
    if blank(row.get("kode_sub_kegiatan")) and blank(row.get("kode_rekening")):
        jenis = _text(row.get("jenis_sp2d")).upper() or jenis_of_nomor(row.get("nomor_sp2d"))
        if jenis in ("UP", "TU"):
            return SET_ASIDE_UP.format(jenis=jenis)
    return None
