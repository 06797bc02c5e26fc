"""Shared helpers: deterministic random streams, the working-day calendar, the output context."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from satudata.sample.files import Style, SubmissionFile, draw_style, rng_for
from satudata.sample.opd_template import Opd
from satudata.sample.reference import Pemda, Reference


class BadQuota:
    """Decides which rows are made deliberately bad: exactly `rate` of the rows asked about (plus
    at most one), spread by a random phase, so the share stays bounded even in small files."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        self.rate = rate
        self.acc = rng.random()

    def hit(self) -> bool:
        self.acc += self.rate
        if self.acc >= 1:
            self.acc -= 1
            return True
        return False


class WorkCalendar:
    """Working days of a year: Monday-Friday minus national holidays and cuti bersama."""

    def __init__(self, tahun: int, holidays: set[date]) -> None:
        self.tahun = tahun
        self.holidays = holidays
        start, end = date(tahun - 1, 12, 1), date(tahun + 1, 3, 31)
        days = (start + timedelta(n) for n in range((end - start).days + 1))
        self.workdays = [d for d in days if d.weekday() < 5 and d not in holidays]
        self.by_month: dict[int, list[date]] = {}
        for d in self.workdays:
            if d.year == tahun:
                self.by_month.setdefault(d.month, []).append(d)

    def is_workday(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.holidays

    def next_workday(self, d: date) -> date:
        """`d` itself if it is a working day, else the next one."""
        i = bisect_left(self.workdays, d)
        return self.workdays[i] if i < len(self.workdays) else d

    def add_workdays(self, d: date, n: int) -> date:
        """The date n working days after d (d counted as day 0 when a working day)."""
        i = bisect_left(self.workdays, d)
        j = min(i + n, len(self.workdays) - 1)
        return self.workdays[j]

    def workdays_between(self, a: date, b: date) -> int:
        """Working days after a up to and including b (0 when the same day)."""
        return bisect_left(self.workdays, b + timedelta(1)) - bisect_left(self.workdays, a + timedelta(1))


@dataclass
class Output:
    """Where files go and what was written (counts for the caller)."""

    landing: Path
    seed: int
    tahun: int
    scale: str
    files: Counter[str] = field(default_factory=Counter)
    rows: Counter[str] = field(default_factory=Counter)
    bad_rows: Counter[str] = field(default_factory=Counter)  # deliberately fatal rows (to quarantine)
    formats: Counter[str] = field(default_factory=Counter)

    def open(
        self,
        pemda: Pemda,
        opd: Opd,
        dataset: str,
        name: str,
        columns: list[str],
        style: Style,
        title: list[str] | None = None,
        extra_columns: tuple[str, ...] = (),
        header_groups: dict[str, str] | None = None,
    ) -> SubmissionFile:
        from satudata.sample import exports  # a share of the files in real export layouts

        ext = "xlsx" if style.fmt == "xlsx" else "csv"
        path = self.landing / pemda.kode_pemda / opd.singkatan / dataset / f"{name}.{ext}"
        args = (path, dataset, columns, style, title or [], extra_columns, header_groups)
        wrapped = exports.wrap(self, pemda, opd, dataset, name, args)
        if wrapped is not None:
            return wrapped  # type: ignore[return-value]  # the same write / close / rows
        self.files[dataset] += 1
        self.formats[ext] += 1
        return SubmissionFile(*args)

    def count(self, dataset: str, f: SubmissionFile, bad: int = 0) -> None:
        self.rows[dataset] += f.rows
        self.bad_rows[dataset] += bad

    def style(self, pemda: Pemda, opd: Opd, dataset: str, allow_xlsx: bool, key: str = "") -> Style:
        """The look of one file: an OPD leans to xlsx or csv, each file then varies."""
        lean = rng_for(self.seed, "lean", pemda.kode_pemda, opd.singkatan).random() < 1 / 3
        rng = rng_for(self.seed, "style", pemda.kode_pemda, opd.singkatan, dataset, key)
        xlsx = allow_xlsx and (lean if rng.random() < 0.85 else not lean)
        return draw_style(rng, "xlsx" if xlsx else "csv", dataset)


def kode_opd_value(opd: Opd, style: Style) -> str | None:
    if style.kode_opd == "singkatan":
        return opd.singkatan
    if style.kode_opd == "none":
        return None
    return opd.kode_opd


@dataclass
class PemdaContext:
    """Everything the domain generators share for one pemda."""

    pemda: Pemda
    nama: str  # `Kota Metro`
    opds: list[Opd]
    ref: Reference
    cal: WorkCalendar
    out: Output
    size: dict[str, float]  # target sizes: asn, dpa, sp2d, permohonan, skm, pengaduan
    big: bool  # provinsi / nasional: large datasets as CSV only
    extra: dict[str, Any] = field(default_factory=dict)  # results passed between domains

    def opd(self, singkatan: str) -> Opd | None:
        return next((o for o in self.opds if o.singkatan == singkatan), None)

    @property
    def seed(self) -> int:
        return self.out.seed

    @property
    def tahun(self) -> int:
        return self.out.tahun
