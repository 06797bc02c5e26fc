"""How a submission file looks: a per-file style, value formatting and the CSV / XLSX writers.

Every file gets a style drawn from its own random stream, so the set shows what real OPD files
look like (standard section 2): `,` or `;`, UTF-8 with or without BOM or Windows-1252, numbers
`1.234.567,89` / `1,234,567.89` / `Rp 1.234.567`, dates ISO, `30/09/2024`, `30-09-2024`,
`30 September 2024`, `30 Sep 2024`, headers in any case or as aliases, xlsx with title rows
above the header and a trailing JUMLAH row equal to the sum of the rows above.
Output is byte-identical for the same input (xlsx timestamps are fixed).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from satudata.datasets import DATASETS, Dataset
from satudata.publish.tables import BULAN  # the month names, once (the sample writes them as OPDs do)
from satudata.sample.xlsx import STYLE_AMOUNT, STYLE_BOLD, XlsxSheet


def rng_for(seed: int, *keys: object) -> random.Random:
    """An independent random stream per (seed, keys): string seeds are hashed with SHA-512 by
    `random`, so streams do not depend on PYTHONHASHSEED or on the order things are generated."""
    return random.Random(f"{seed}|" + "|".join(str(k) for k in keys))


BULAN_SINGKAT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des")

# columns whose sum a JUMLAH row carries, per dataset
SUM_COLUMNS: dict[str, tuple[str, ...]] = {
    "formasi_jabatan": ("kebutuhan", "terisi", "usulan_pengisian"),
    "pembayaran_penghasilan": ("jumlah_penerima", "nilai_bruto"),
    "anggaran": ("pagu",),
    "realisasi_belanja": ("nilai",),
    "pendapatan": ("target", "realisasi"),
    "anggaran_kas": ("rencana",),
}


@dataclass(frozen=True)
class Style:
    fmt: str  # csv | xlsx
    delimiter: str = ","
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | cp1252
    newline: str = "\n"
    number: str = "plain"  # plain | id | rp | us
    date: str = "iso"  # iso | dmy | dmy_dash | long | short
    header: str = "snake"  # snake | title | upper | alias
    kode_opd: str = "sipd"  # sipd | singkatan | none (column left out)
    title_rows: int = 0  # xlsx only
    total_row: bool = False
    nip_spaces: bool = False
    xlsx_text_values: bool = False  # xlsx: dates and amounts typed as text


CSV_DIALECTS = (
    # weight, delimiter, encoding, newline, number, date
    (40, ",", "utf-8", "\n", "plain", "iso"),
    (22, ";", "utf-8-sig", "\r\n", "id", "dmy"),
    (10, ";", "cp1252", "\r\n", "id", "short"),
    (14, ";", "utf-8", "\r\n", "rp", "long"),
    (14, ",", "utf-8", "\n", "us", "dmy_dash"),
)


def draw_style(rng: random.Random, fmt: str, dataset: str) -> Style:
    """A file's look. `fmt` is chosen by the caller (xlsx only for small files)."""
    header = rng.choices(("snake", "title", "upper", "alias"), (35, 25, 20, 20))[0]
    kode_opd = rng.choices(("sipd", "singkatan", "none"), (55, 30, 15))[0]
    nip_spaces = rng.random() < 0.25
    summable = dataset in SUM_COLUMNS
    if fmt == "xlsx":
        text = rng.random() < 0.15
        return Style(
            "xlsx",
            number="rp" if text else "plain",
            date=rng.choice(("dmy", "long")) if text else "iso",
            header=header,
            kode_opd=kode_opd,
            title_rows=rng.choices((0, 1, 2), (30, 35, 35))[0],
            total_row=summable and rng.random() < 0.6,
            nip_spaces=nip_spaces,
            xlsx_text_values=text,
        )
    _, delim, enc, nl, number, datefmt = rng.choices(CSV_DIALECTS, [d[0] for d in CSV_DIALECTS])[0]
    return Style(
        "csv",
        delimiter=delim,
        encoding=enc,
        newline=nl,
        number=number,
        date=datefmt,
        header=header,
        kode_opd=kode_opd,
        total_row=summable and rng.random() < 0.2,
        nip_spaces=nip_spaces,
    )


# ---- values -------------------------------------------------------------------------------------


def _group(int_part: str, sep: str) -> str:
    out = []
    while len(int_part) > 3:
        out.append(int_part[-3:])
        int_part = int_part[:-3]
    out.append(int_part)
    return sep.join(reversed(out))


def format_amount(value: int | Decimal | float, number: str) -> str:
    """Rupiah amount in a number style; cents shown only when there are any."""
    d = Decimal(value).quantize(Decimal("0.01"))
    neg = d < 0
    whole, cents = f"{abs(d):.2f}".split(".")
    if number == "plain":
        s = whole if cents == "00" else f"{whole}.{cents}"
    elif number == "us":
        s = _group(whole, ",") + ("" if cents == "00" else f".{cents}")
    elif number == "rp":
        s = "Rp " + _group(whole, ".") + ("" if cents == "00" else f",{cents}")
    else:  # id
        s = _group(whole, ".") + ("" if cents == "00" else f",{cents}")
    return "-" + s if neg else s


def format_date(d: date, style: str) -> str:
    if style == "dmy":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "dmy_dash":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if style == "long":
        return f"{d.day} {BULAN[d.month - 1]} {d.year}"
    if style == "short":
        return f"{d.day:02d} {BULAN_SINGKAT[d.month - 1]} {d.year}"
    return d.isoformat()


def format_periode(periode: str, style: str) -> str:
    y, m = periode.split("-")
    if style in ("long", "short"):
        return f"{BULAN[int(m) - 1]} {y}"
    if style in ("dmy", "dmy_dash"):
        return f"{m}/{y}"
    return periode


def spaced_nip(nip: str) -> str:
    """`198609262015051001` -> `19860926 201505 1 001` (how NIPs are often typed)."""
    if len(nip) != 18:
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def header_text(dataset: Dataset, column: str, style: str) -> str:
    col = dataset.column(column)
    if style == "alias" and col.aliases:
        alias = col.aliases[0]
        return alias.upper() if len(alias.replace(" ", "")) <= 3 else alias.title()
    if style == "title":
        return column.replace("_", " ").title()
    if style == "upper":
        return column.upper().replace("_", " ")
    return column


# ---- writers ------------------------------------------------------------------------------------


class SubmissionFile:
    """One file of one dataset, written row by row (CSV streams; XLSX is kept until close).

    `header_groups` (xlsx only) gives a two-row header: columns mapped to the same group label
    get that label in a merged cell above them, the other headers are merged over both rows.
    """

    def __init__(
        self,
        path: Path,
        dataset: str,
        columns: Sequence[str],
        style: Style,
        title: Sequence[str] = (),
        extra_columns: Sequence[str] = (),
        header_groups: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.dataset = DATASETS[dataset]
        self.style = style
        self.columns = [c for c in columns if not (c == "kode_opd" and style.kode_opd == "none")]
        self.extra = list(extra_columns)  # not canonical (e.g. identity columns): written as named
        self.types = {c.name: c.type for c in self.dataset.columns}
        self.sums: dict[str, Any] = {c: 0 for c in SUM_COLUMNS.get(dataset, ()) if c in self.columns}
        self.rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        headers = [header_text(self.dataset, c, style.header) for c in self.columns] + self.extra
        if style.fmt == "csv":
            errors = "replace" if style.encoding == "cp1252" else "strict"  # as Windows exports do
            self._fh = open(path, "w", encoding=style.encoding, errors=errors, newline="")
            self._csv = csv.writer(self._fh, delimiter=style.delimiter, lineterminator=style.newline)
            self._csv.writerow(headers)
            return
        self._ws = XlsxSheet(self.dataset.name)
        width = len(headers)
        for text in title[: style.title_rows]:
            self._ws.append([text], [STYLE_BOLD])
            if width > 1:
                r = self._ws.row_count
                self._ws.merge(r, 1, r, width)
        if style.title_rows:
            self._ws.append([])
        groups = header_groups or {}
        bold = [STYLE_BOLD] * width
        if any(c in groups for c in self.columns):
            top = self._ws.row_count + 1
            row1: list[object] = []
            row2: list[object] = []
            for j, (c, h) in enumerate(zip(self.columns, headers, strict=False)):
                label = groups.get(c)
                if label:
                    row1.append(label if j == 0 or groups.get(self.columns[j - 1]) != label else None)
                    row2.append(h)
                else:
                    row1.append(h)
                    row2.append(None)
            self._ws.append(row1 + self.extra, bold)
            self._ws.append(row2 + [None] * len(self.extra), bold)
            j, n = 0, len(self.columns)
            while j < width:
                label = groups.get(self.columns[j]) if j < n else None
                k = j
                while label and k + 1 < n and groups.get(self.columns[k + 1]) == label:
                    k += 1
                if label:
                    if k > j:
                        self._ws.merge(top, j + 1, top, k + 1)
                else:
                    self._ws.merge(top, j + 1, top + 1, j + 1)
                j = k + 1
        else:
            self._ws.append(headers, bold)

    # values ---------------------------------------------------------------------------------
    def _cell(self, column: str, value: Any) -> Any:
        st = self.style
        if value is None:
            return None if st.fmt == "xlsx" else ("-" if st.number in ("id", "rp") and self._numeric(column) else "")
        if column == "nip" and st.nip_spaces and isinstance(value, str):
            return spaced_nip(value)
        if column == "periode" and isinstance(value, str):
            return format_periode(value, "iso" if st.fmt == "xlsx" and not st.xlsx_text_values else st.date)
        if isinstance(value, str):
            return value  # already text as the submitter wrote it (e.g. `970,40 M`)
        ctype = self.types.get(column, "text")
        if isinstance(value, date):
            if st.fmt == "xlsx" and not st.xlsx_text_values:
                return value
            return format_date(value, st.date)
        if ctype == "numeric":
            if st.fmt == "xlsx" and not st.xlsx_text_values:
                return int(value) if value == int(value) else float(value)
            return format_amount(value, st.number)
        if ctype == "integer" and st.fmt == "xlsx":
            return value
        return str(value)

    def _numeric(self, column: str) -> bool:
        return self.types.get(column) in ("numeric", "integer")

    def _styles(self) -> list[int]:
        return [STYLE_AMOUNT if self.types.get(c) == "numeric" and not self.style.xlsx_text_values else 0
                for c in self.columns] + [0] * len(self.extra)  # fmt: skip

    def write(self, row: dict[str, Any]) -> None:
        values = [self._cell(c, row.get(c)) for c in self.columns] + [row.get(c) for c in self.extra]
        for c in self.sums:
            v = row.get(c)
            if isinstance(v, (int, Decimal, float)):
                self.sums[c] += v
        self.rows += 1
        if self.style.fmt == "csv":
            self._csv.writerow(["" if v is None else v for v in values])
        else:
            self._ws.append(values, self._styles())

    def close(self) -> None:
        if self.style.total_row and self.sums and self.rows:
            values = [self._cell(c, self.sums[c]) if c in self.sums else None for c in self.columns]
            values[0] = "JUMLAH"
            if self.style.fmt == "csv":
                self._csv.writerow(["" if v is None else v for v in values])
            else:
                self._ws.append(values, self._styles())
        if self.style.fmt == "csv":
            self._fh.close()
        else:
            self._ws.save(self.path)

    def __enter__(self) -> SubmissionFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
