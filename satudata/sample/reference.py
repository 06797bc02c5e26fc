"""The reference seeds the generator reads (dbt_project/seeds), found from the package location."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from satudata.sample.opd_template import Opd

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    with open(seeds_dir / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class Pemda:
    kode_pemda: str
    kode_bps: str
    nama_pemda: str  # upper case, as in the seed
    jenis: str
    kode_provinsi: str


@dataclass
class Reference:
    pemda: dict[str, Pemda]
    opd: dict[str, list[Opd]]  # kode_pemda -> OPD of the seed cities
    rekening: dict[str, tuple[str, int]]  # kode -> (uraian, level)
    sub_kegiatan: dict[str, str]  # kode of level sub_kegiatan -> uraian
    holidays: set[date]
    holiday_names: dict[date, str]
    spm: list[tuple[str, str, str]]  # (bidang, kode_indikator, nama_indikator)

    @cached_property
    def rekening_leaves(self) -> list[str]:
        parents = {k.rsplit(".", 1)[0] for k in self.rekening if "." in k}
        return sorted(k for k in self.rekening if k not in parents)

    def leaves_under(self, *prefixes: str) -> list[str]:
        return [k for k in self.rekening_leaves if k.startswith(prefixes) and self.rekening[k][1] == 6]

    def sub_kegiatan_of(self, bidang: tuple[str, ...]) -> list[str]:
        """Sub kegiatan codes under any of the urusan-bidang pairs (`1.02`, ...)."""
        prefixes = tuple(b + "." for b in bidang)
        return sorted(k for k in self.sub_kegiatan if k.startswith(prefixes))


def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    pemda = {
        r["kode_pemda"]: Pemda(r["kode_pemda"], r["kode_bps"], r["nama_pemda"], r["jenis"], r["kode_provinsi"])
        for r in read_seed("pemda", seeds_dir)
    }
    opd: dict[str, list[Opd]] = {}
    for r in read_seed("opd", seeds_dir):
        opd.setdefault(r["kode_pemda"], []).append(Opd(r["kode_pemda"], r["kode_opd"], r["singkatan"], r["nama_opd"]))
    rekening = {r["kode_rekening"]: (r["uraian"], int(r["level"])) for r in read_seed("rekening", seeds_dir)}
    sub_kegiatan = {
        r["kode"]: r["uraian"] for r in read_seed("sub_kegiatan", seeds_dir) if r["level"] == "sub_kegiatan"
    }
    holiday_names = {date.fromisoformat(r["tanggal"]): r["nama"] for r in read_seed("hari_libur", seeds_dir)}
    holidays = set(holiday_names)
    spm = [(r["bidang"], r["kode_indikator"], r["nama_indikator"]) for r in read_seed("spm_indikator", seeds_dir)]
    return Reference(pemda, opd, rekening, sub_kegiatan, holidays, holiday_names, spm)
