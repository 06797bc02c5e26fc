"""The source registry of the bundled sample data: `<landing>/registry.yaml`, one `file` entry per
pemda x OPD x dataset the sample generator (satudata/sample) wrote, with the periods it covers.

Derived from what was generated (the folders in the landing), so it follows the generator as it
changes; the expected periods follow each dataset's declared `frekuensi` (satudata/datasets.py):

    bulanan      YYYY-01 .. YYYY-12              (pegawai, pembayaran_penghasilan, pendapatan, permohonan_layanan)
    semesteran   YYYY-01, YYYY-07                (formasi_jabatan)
    triwulanan   YYYY-03, -06, -09, -12          (pengaduan: one file per quarter)
    tahunan      YYYY                            (the others; survei_kepuasan per semester, any month)

Slots whose OPD is not in the reference seed (kab/kota outside the four seed cities, whose OPD
list the generator writes to reference_opd_extra.csv) are left out: the registry would not
validate with them.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

import yaml

from satudata.datasets import DATASETS
from satudata.extract.discover import discover
from satudata.extract.registry import REGISTRY_FILE, load_registry

log = logging.getLogger(__name__)


def periods_of(dataset: str, tahun: int) -> list[str]:
    """The periods a source of the dataset is expected to cover in a year, by its declared frekuensi."""
    frekuensi = DATASETS[dataset].frekuensi
    if frekuensi == "bulanan":
        return [f"{tahun}-01..{tahun}-12"]
    if frekuensi == "semesteran":
        return [f"{tahun}-01", f"{tahun}-07"]
    if frekuensi == "triwulanan":
        return [f"{tahun}-{m:02d}" for m in (3, 6, 9, 12)]
    return [str(tahun)]


def schedule_of(dataset: str) -> str:
    """How often a source of the dataset is pulled: monthly when it comes more than once a year."""
    return "@yearly" if DATASETS[dataset].frekuensi == "tahunan" else "@monthly"


def _year_of(names: list[str]) -> int:
    years = Counter(m.group(0) for n in names for m in re.finditer(r"(?<!\d)20\d\d(?!\d)", n))
    return int(years.most_common(1)[0][0]) if years else 2024


def sample_registry(landing: Path, tahun: int | None = None) -> dict:
    """The registry document for the sample files found in `landing`."""
    from satudata.reference import opd_codes

    drops = [d for d in discover(landing) if d.problem is None and d.dataset in DATASETS]
    tahun = tahun or _year_of([Path(d.relpath).name for d in drops])
    known = opd_codes()
    slots = sorted({(d.kode_pemda, d.opd, d.dataset) for d in drops})
    skipped = [s for s in slots if (s[0], s[1]) not in known]
    if skipped:
        log.info("sample registry: %d slots of OPD outside the reference seed left out", len(skipped))
    sources = []
    for kode, opd, dataset in slots:
        if (kode, opd) not in known:
            continue
        assert kode is not None and opd is not None and dataset is not None
        sources.append(
            {
                "id": f"{kode.replace('.', '')}-{opd.lower().replace('_', '-')}-{dataset.replace('_', '-')}",
                "kode_pemda": kode,
                "opd": opd,
                "dataset": dataset,
                "kind": "file",
                "schedule": schedule_of(dataset),
                "expected_periods": periods_of(dataset, tahun),
            }
        )
    return {"defaults": {"deadline_day": 10}, "sources": sources}


def write_sample_registry(landing: Path, tahun: int | None = None) -> Path:
    """Write `<landing>/registry.yaml` for the sample, validated before it replaces anything."""
    document = sample_registry(landing, tahun)
    path = landing / REGISTRY_FILE
    tmp = landing / f".{REGISTRY_FILE}.tmp"
    header = "# The source registry of the generated sample data (satudata/extract/sample_registry.py).\n"
    tmp.write_text(header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    load_registry(tmp)  # refuses to write an invalid registry
    tmp.replace(path)
    log.info("sample registry: %d sources written to %s", len(document["sources"]), path)
    return path
