"""Deterministic sample data: the file drops of several pemda, as OPDs really send them.

`generate(landing, scale, seed, tahun)` writes `<landing>/<kode_pemda>/<SINGKATAN>/<dataset>/<file>`
for all 14 datasets and returns what it wrote. The same arguments give byte-identical files.
Reference codes (OPD, rekening, sub kegiatan, holidays, SPM) come from `dbt_project/seeds/`.

Scales (per pemda sizes are drawn around the seed cities' profiles):
- `small`: the four seed cities at about 1/20 of `kota` (for fast tests)
- `kota`: the four seed cities at demo size (600-1,500 ASN, 5-12 k SP2D, 5-10 k requests each)
- `provinsi`: 15 pemda (the seed cities + 11 kab/kota of their provinces): about 0.5 M SP2D,
  0.9 M roster rows, 1.2 M requests, 0.15 M SKM responses
- `nasional`: 100 pemda (the seed cities + 96 drawn from the whole country), same per-pemda sizes
OPD of pemda outside the seed are made from the template and written to
`<landing>/../reference_opd_extra.csv` (the `opd` seed holds the four seed cities only).
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from satudata.sample.anggaran import generate_anggaran
from satudata.sample.common import Output, PemdaContext, WorkCalendar, rng_for
from satudata.sample.exports import clear_twins
from satudata.sample.kepegawaian import generate_kepegawaian
from satudata.sample.opd_template import SEED_CITIES, Opd, generic_opd_list, title_name
from satudata.sample.pelayanan import generate_pelayanan
from satudata.sample.reference import Reference, load_reference

SCALES = ("small", "kota", "provinsi", "nasional")
# per seed city at `kota` scale: ASN, DPA lines, SP2D, requests, SKM responses, complaints
SEED_SIZE: dict[str, dict[str, float]] = {
    "18.72": {"asn": 700, "dpa": 350, "sp2d": 6000, "permohonan": 5500, "skm": 1200, "pengaduan": 400},
    "53.71": {"asn": 1400, "dpa": 700, "sp2d": 11000, "permohonan": 9500, "skm": 2600, "pengaduan": 900},
    "62.71": {"asn": 1100, "dpa": 550, "sp2d": 8500, "permohonan": 7500, "skm": 2000, "pengaduan": 650},
    "72.71": {"asn": 1300, "dpa": 650, "sp2d": 10000, "permohonan": 8500, "skm": 2300, "pengaduan": 800},
}
SMALL_FACTOR = 1 / 20
LARGE_FACTOR = {"asn": 4.3, "dpa": 2.0, "sp2d": 3.7, "permohonan": 10.5, "skm": 4.8, "pengaduan": 3.0}
N_PEMDA = {"small": 4, "kota": 4, "provinsi": 15, "nasional": 100}
PEMDA_DIR = re.compile(r"^\d{2}(\.\d{2})?$")


def _choose_pemda(ref: Reference, scale: str, seed: int) -> list[str]:
    chosen = list(SEED_CITIES)
    extra = N_PEMDA[scale] - len(chosen)
    if extra <= 0:
        return chosen
    kabkota = sorted(k for k, p in ref.pemda.items() if p.jenis != "provinsi" and k not in chosen)
    if scale == "provinsi":
        provinces = {ref.pemda[k].kode_provinsi for k in chosen}
        kabkota = [k for k in kabkota if ref.pemda[k].kode_provinsi in provinces]
    rng = rng_for(seed, "pemda", scale)
    return chosen + sorted(rng.sample(kabkota, extra))


def _opds(ref: Reference, kode: str, seed: int) -> tuple[str, list[Opd]]:
    if kode in ref.opd:
        return SEED_CITIES[kode][0], ref.opd[kode]
    p = ref.pemda[kode]
    rng = rng_for(seed, "opd", kode)
    n_kec = rng.randint(4, 8) if p.jenis == "kota" else rng.randint(8, 18)
    return title_name(p.nama_pemda), generic_opd_list(kode, p.nama_pemda, p.jenis, n_kec)


def _size(kode: str, scale: str, seed: int) -> dict[str, float]:
    if kode in SEED_SIZE:
        base = dict(SEED_SIZE[kode])
    else:
        rng = rng_for(seed, "size", kode)
        lo, hi = SEED_SIZE["18.72"], SEED_SIZE["53.71"]
        f = rng.uniform(0, 1)
        base = {k: lo[k] + f * (hi[k] - lo[k]) for k in lo}
    if scale == "small":
        return {k: v * SMALL_FACTOR for k, v in base.items()}
    if scale in ("provinsi", "nasional"):
        return {k: v * LARGE_FACTOR[k] for k, v in base.items()}
    return base


def _one_pemda(landing: Path, scale: str, seed: int, tahun: int, kode: str) -> dict[str, Any]:
    ref = load_reference()
    out = Output(landing, seed, tahun, scale)
    clear_twins(landing, kode)
    nama, opds = _opds(ref, kode, seed)
    ctx = PemdaContext(
        pemda=ref.pemda[kode],
        nama=nama,
        opds=opds,
        ref=ref,
        cal=WorkCalendar(tahun, ref.holidays),
        out=out,
        size=_size(kode, scale, seed),
        big=scale in ("provinsi", "nasional"),
    )
    ctx.extra["tpp_factor"] = rng_for(seed, "tpp", kode).uniform(0.7, 1.3)
    generate_kepegawaian(ctx)
    generate_anggaran(ctx)
    generate_pelayanan(ctx)
    return {
        "files": out.files,
        "rows": out.rows,
        "bad_rows": out.bad_rows,
        "formats": out.formats,
        "totals": {
            "realisasi_belanja": ctx.extra["realisasi_total"],
            "lra_belanja": ctx.extra.get("lra_belanja"),
        },
    }


def generate(
    landing: Path,
    scale: str = "kota",
    seed: int = 2024,
    tahun: int = 2024,
    workers: int = 1,
    clean: bool = False,
) -> dict[str, Any]:
    """Write the sample file drops under `landing`; return counts per dataset and per file format.

    `workers` > 1 generates pemda in parallel processes (output is the same: every pemda has its
    own random streams). `clean` first removes pemda folders (`18.72/` ...) left in `landing`.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    landing = Path(landing)
    if clean and landing.exists():
        for child in sorted(landing.iterdir()):
            if child.is_dir() and PEMDA_DIR.match(child.name):
                shutil.rmtree(child)
    landing.mkdir(parents=True, exist_ok=True)
    ref = load_reference()
    codes = _choose_pemda(ref, scale, seed)
    extra_opd = [o for k in codes if k not in ref.opd for o in _opds(ref, k, seed)[1]]
    if extra_opd:
        with open(landing.parent / "reference_opd_extra.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["kode_pemda", "kode_opd", "singkatan", "nama_opd"])
            w.writerows([o.kode_pemda, o.kode_opd, o.singkatan, o.nama_opd] for o in extra_opd)
    args = [(landing, scale, seed, tahun, k) for k in codes]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_one_pemda, *zip(*args, strict=True)))
    else:
        results = [_one_pemda(*a) for a in args]
    files: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    for r in results:
        files.update(r["files"])
        rows.update(r["rows"])
        bad.update(r["bad_rows"])
        formats.update(r["formats"])
    return {
        "landing": str(landing),
        "scale": scale,
        "seed": seed,
        "tahun": tahun,
        "pemda": codes,
        "files": dict(sorted(files.items())),
        "rows": dict(sorted(rows.items())),
        "bad_rows": dict(sorted(bad.items())),
        "formats": dict(sorted(formats.items())),
        "total_files": sum(files.values()),
        "total_rows": sum(rows.values()),
        "totals": {k: r["totals"] for k, r in zip(codes, results, strict=True)},
        "reference_opd_extra": str(landing.parent / "reference_opd_extra.csv") if extra_opd else None,
    }
