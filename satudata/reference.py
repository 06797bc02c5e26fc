"""Reference codes (kode referensi) the loader needs before dbt has run: read from the dbt seeds."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from satudata.config import REPO_ROOT

SEEDS = REPO_ROOT / "dbt_project" / "seeds"


@cache
def opd_codes(seeds: Path = SEEDS) -> dict[tuple[str, str], set[str]]:
    """(kode_pemda, SINGKATAN) -> the codes a row may use for that OPD: its SIPD code and singkatan."""
    codes: dict[tuple[str, str], set[str]] = {}
    with (seeds / "opd.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["kode_pemda"], row["singkatan"].upper())
            codes.setdefault(key, set()).update({row["kode_opd"], row["singkatan"]})
    return codes
