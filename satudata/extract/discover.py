"""Find file drops in the landing folder: `<landing>/<kode_pemda>/<SINGKATAN_OPD>/<dataset>/<file>`."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

KODE_PEMDA = re.compile(r"^\d{2}(\.\d{2})?$")
OPD_FOLDER = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,39}$")
SUFFIXES = {".csv", ".xlsx", ".txt"}


@dataclass(frozen=True)
class Drop:
    """One file found in the landing folder, with what its path says about it."""

    relpath: str
    kode_pemda: str | None
    opd: str | None
    dataset: str | None
    problem: str | None = None  # set when the path itself is not in the landing layout

    def as_dict(self) -> dict:
        return asdict(self)


def parse_drop_path(relpath: str) -> Drop:
    parts = Path(relpath).parts
    if len(parts) != 4:
        return Drop(
            relpath,
            None,
            None,
            None,
            "path is not <kode_pemda>/<OPD>/<dataset>/<file> / "
            "lokasi berkas tidak sesuai pola <kode_pemda>/<OPD>/<dataset>/<berkas>",
        )
    kode_pemda, opd, dataset, _ = parts
    if not KODE_PEMDA.match(kode_pemda):
        return Drop(
            relpath,
            None,
            opd,
            dataset,
            f"folder {kode_pemda!r} is not a Kemendagri pemda code like 18.72 / "
            f"folder {kode_pemda!r} bukan kode pemda Kemendagri seperti 18.72",
        )
    if not OPD_FOLDER.match(opd):
        return Drop(
            relpath,
            kode_pemda,
            None,
            dataset,
            f"folder {opd!r} is not an OPD singkatan like BPKAD / folder {opd!r} bukan singkatan OPD",
        )
    return Drop(relpath, kode_pemda, opd, dataset)


def discover(landing: Path) -> list[Drop]:
    """Every regular file under the landing folder, sorted, hidden files and folders skipped."""
    drops = []
    for path in sorted(landing.rglob("*")):
        rel = path.relative_to(landing)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file() or path.is_symlink():
            continue
        if rel.as_posix() == "registry.yaml":  # the source registry (satudata/extract/registry.py), not a drop
            continue
        drops.append(parse_drop_path(rel.as_posix()))
    return drops
