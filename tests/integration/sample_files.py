"""Reads the generated sample files without the pipeline (no readers, loader, dbt or marts), so tests can
recompute published figures independently. Only the pure value parsers are shared.

A file the generator wrote in an export layout (satudata/sample/exports.py: SIPD register, DPPA print,
e-SKM .xls...) is read from its canonical twin, `<landing>/../sample_truth/<relative path>.csv`: the same
rows in the standard's columns with the export's row number of each (`_baris`), so the rows the run
quarantined are still found by (path, row number), and the rows the export has that are not lines
(`_disisihkan`: parent accounts, komponen, UP SP2D, JUMLAH...) are counted as read and set aside."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl

from satudata.datasets import DATASETS
from satudata.extract import parse

TOTAL_LABELS = {"JUMLAH", "TOTAL", "GRAND TOTAL", "JUMLAH TOTAL", "SUB TOTAL", "SUBTOTAL"}


def _key(text: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def _names(dataset: str) -> dict[str, str]:
    """normalised header text -> canonical column (names and aliases)."""
    names = {}
    for col in DATASETS[dataset].columns:
        names[_key(col.name)] = col.name
        names.update({_key(a): col.name for a in col.aliases})
    return names


def _grid(path: Path) -> list[tuple[int, list[object]]]:
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
        wb.close()
        return rows
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.splitlines()[0] if text else ""
    delimiter = max([",", ";", "\t"], key=first.count)
    return [(i, r) for i, r in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)]


TWIN_DIR = "sample_truth"  # where satudata/sample/exports.py writes the twins (outside landing)


def twin(path: Path) -> Path | None:
    """The canonical twin of a landing file written in an export layout, None for a standard file."""
    landing = path.parents[3]  # <landing>/<kode_pemda>/<OPD>/<dataset>/<file>
    found = landing.parent / TWIN_DIR / f"{path.relative_to(landing).as_posix()}.csv"
    return found if found.exists() else None


def _twin_lines(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def rows(path: Path, dataset: str) -> Iterator[tuple[int, dict[str, object]]]:
    """(row number as the submitter sees it, {canonical column: raw value}) for every data row."""
    found = twin(path)
    if found is not None:
        for line in _twin_lines(found):
            number, aside = int(line.pop("_baris")), line.pop("_disisihkan")
            if not aside:  # the columns the export has no room for (tagging...) are empty
                yield (
                    number,
                    {
                        **dict.fromkeys(c.name for c in DATASETS[dataset].columns),
                        **{c: (v if v != "" else None) for c, v in line.items()},
                    },
                )
        return
    yield from _standard_rows(path, dataset)


def set_aside(path: Path, dataset: str) -> int:
    """Rows of the file that are read but are not lines: a trailing JUMLAH / TOTAL row, and in an export
    layout its parent accounts, komponen, group headers, UP SP2D, notes... (the twin marks them)."""
    found = twin(path)
    if found is not None:
        return sum(1 for line in _twin_lines(found) if line["_disisihkan"])
    return total_rows(path, dataset)


def _standard_rows(path: Path, dataset: str) -> Iterator[tuple[int, dict[str, object]]]:
    names = _names(dataset)
    grid = _grid(path)
    best, header_at = {}, 0
    for idx, (_, cells) in enumerate(grid[:30]):
        found = {i: names[_key(c)] for i, c in enumerate(cells) if _key(c) in names}
        if len(found) >= len(best) and found:
            best, header_at = found, idx
    if header_at > 0:  # a two-row header: the row above names the columns the lower one leaves empty
        above = grid[header_at - 1][1]
        for i, c in enumerate(above):
            if i not in best and _key(c) in names:
                best[i] = names[_key(c)]
    for number, cells in grid[header_at + 1 :]:
        if not any(str(c or "").strip() for c in cells):
            continue
        if any(str(c or "").strip().upper() in TOTAL_LABELS for c in cells):
            continue
        yield number, {col: cells[i] if i < len(cells) else None for i, col in best.items()}


def files(landing: Path, dataset: str, kode_pemda: str | None = None) -> list[Path]:
    pattern = f"{kode_pemda or '*'}/*/{dataset}/*"
    return sorted(p for p in landing.glob(pattern) if p.suffix in (".csv", ".xlsx", ".xls"))


def number(value: object):
    return parse.parse_number(value)


def total_rows(path: Path, dataset: str) -> int:
    """JUMLAH / TOTAL rows below the header: rows of the file the pipeline reads and sets aside (not lines)."""
    names = _names(dataset)
    grid = _grid(path)
    header_at = max(range(min(30, len(grid))), default=0, key=lambda i: (sum(_key(c) in names for c in grid[i][1]), -i))
    return sum(
        1 for _, cells in grid[header_at + 1 :] if any(str(c or "").strip().upper() in TOTAL_LABELS for c in cells)
    )
