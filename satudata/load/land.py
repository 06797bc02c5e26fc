"""Landing: record each dropped file by content hash and keep an immutable copy of it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import uuid
from pathlib import Path
from typing import Any

from satudata import reference
from satudata.datasets import DATASETS
from satudata.extract.discover import parse_drop_path
from satudata.warehouse import connect, one

log = logging.getLogger(__name__)

CURRENT = ("loaded", "loaded_with_warnings")
IN_MEMORY_BYTES = 16 << 20  # files up to this size are hashed in memory; larger ones are streamed


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def unsafe_path(landing: Path, relpath: str) -> str | None:
    """Why `relpath` must not be read, or None: it must stay inside the landing folder (no absolute
    path, no `..`), pass through no symbolic link, and name a regular file (not a FIFO or device)."""
    parts = Path(relpath).parts
    if not parts or Path(relpath).is_absolute() or any(p in ("..", ".") for p in parts) or "\x00" in relpath:
        return f"path {relpath!r} leaves the landing folder / lokasi {relpath!r} keluar dari folder landing"
    current = landing
    for part in parts:
        current = current / part
        try:
            mode = current.lstat().st_mode
        except OSError as e:
            return f"path {relpath!r} cannot be read ({e.strerror}) / lokasi {relpath!r} tidak dapat dibaca"
        if stat.S_ISLNK(mode):
            return (
                f"path {relpath!r} goes through a symbolic link, which is never followed / "
                f"lokasi {relpath!r} melalui tautan simbolik, yang tidak pernah diikuti"
            )
    if not stat.S_ISREG(mode):
        return f"path {relpath!r} is not a regular file / lokasi {relpath!r} bukan berkas biasa"
    return None


def _keep(path: Path, archive: Path) -> tuple[str, int]:
    """Hash the file and keep an immutable copy named by its hash, in one read (never through a
    symbolic link: O_NOFOLLOW). Returns (sha256, size)."""
    archive.mkdir(parents=True, exist_ok=True)
    part = archive / f".{uuid.uuid4().hex}.part"
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    try:
        src = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with src:
        info = os.fstat(src.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if info.st_size <= IN_MEMORY_BYTES:  # most drops: read once, written only when its content is new
            data = src.read(IN_MEMORY_BYTES + 1)
            if len(data) <= IN_MEMORY_BYTES:
                sha = hashlib.sha256(data).hexdigest()
                kept = archive / f"{sha}{path.suffix.lower()}"
                if not kept.exists():
                    try:
                        part.write_bytes(data)
                        part.replace(kept)
                    except BaseException:
                        part.unlink(missing_ok=True)
                        raise
                return sha, len(data)
            src.seek(0)  # grew while being read: streamed below, like a large file
        return _keep_streamed(src, path, archive, part)


def _keep_streamed(src: Any, path: Path, archive: Path, part: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with part.open("wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        sha = digest.hexdigest()
        kept = archive / f"{sha}{path.suffix.lower()}"
        if kept.exists():
            part.unlink()
        else:
            part.replace(kept)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return sha, size


def land_file(url: str, landing: Path, archive: Path, relpath: str, run_id: str) -> dict:
    """Register one file drop. Returns {file_id, status, ...}; status is one of
    `landed` (to be loaded), `duplicate` (same content already loaded: nothing to do) or
    `rejected` (the path does not say what the file is, or must not be read at all: outside the
    landing folder, through a symbolic link, not a regular file; such a file is never opened)."""
    if (ref := reference.reference_drop(relpath)) is not None:
        return _land_reference_once(url, landing, archive, relpath, run_id, *ref)
    drop = parse_drop_path(relpath)
    if drop.kode_pemda and drop.problem is None:
        _references_first(url, landing, archive, drop.kode_pemda, run_id)
    path = landing / relpath
    unsafe = unsafe_path(landing, relpath)
    if unsafe is None:
        sha, size = _keep(path, archive)
    else:
        sha, size = "", 0  # never opened
    problem = unsafe or drop.problem
    if problem is None and drop.dataset not in DATASETS:
        problem = (
            f"unknown dataset folder {drop.dataset!r}; expected one of {', '.join(sorted(DATASETS))} / "
            f"folder dataset {drop.dataset!r} tidak dikenal"
        )
    if unsafe:
        log.warning("%r: not read: %s", relpath, unsafe)
    with connect(url) as conn:
        # the same content is current in the slot, or this path last held this very content (a file
        # replaced by a corrected one and still lying in the folder must not come back every run);
        # a path never read is known by the path alone
        same = (
            conn.execute(
                "select file_id, status, reasons from audit.source_file where path = %s and sha256 = '' "
                "order by file_id desc limit 1",
                (relpath,),
            ).fetchone()
            if unsafe
            else conn.execute(
                "select file_id, status, reasons from audit.source_file where sha256 = %s "
                "and kode_pemda is not distinct from %s and opd is not distinct from %s "
                "and dataset is not distinct from %s and ((superseded_by is null "
                "and status in ('landed', 'loaded', 'loaded_with_warnings', 'rejected')) or file_id = "
                "(select max(file_id) from audit.source_file where path = %s and kode_pemda is not distinct from %s)) "
                "order by file_id desc limit 1",
                (sha, drop.kode_pemda, drop.opd, drop.dataset, relpath, drop.kode_pemda),
            ).fetchone()
        )
        if same and same[1] == "rejected" and not unsafe and _opd_known_now(conn, drop, same[2]):
            same = None  # refused for an OPD folder its pemda's list did not have; onboarded since: read again
        if same:
            # `landed` but not loaded: an earlier attempt stopped in between, so load it now
            status = "landed" if same[1] == "landed" else "duplicate"
            if status == "duplicate":
                log.info(
                    "%s: same content (sha256 %s) already processed as file %s, skipped", relpath, sha[:12], same[0]
                )
            _note(conn, run_id, relpath, same[0], status)
            return {"file_id": same[0], "relpath": relpath, "status": status, "sha256": sha}
        status = "rejected" if problem else "landed"
        inserted = conn.execute(
            "insert into audit.source_file "
            "(run_id, path, sha256, size_bytes, kode_pemda, opd, dataset, status, reasons) "
            "values (%s, %s, %s, %s, %s, %s, %s, %s, %s) returning file_id",
            (
                run_id,
                relpath,
                sha,
                size,
                drop.kode_pemda,
                drop.opd,
                drop.dataset,
                status,
                json.dumps([problem] if problem else []),
            ),
        )
        file_id = one(inserted)[0]
        _note(conn, run_id, relpath, file_id, status)
    log.info("%s: landed as file %s (%s, %d bytes, sha256 %s)", relpath, file_id, status, size, sha[:12])
    return {"file_id": file_id, "relpath": relpath, "status": status, "sha256": sha}


def _opd_known_now(conn, drop, reasons: list[str]) -> bool:
    """The file was refused because its OPD folder was not in its pemda's list, and now it is."""
    if not (drop.kode_pemda and drop.opd and drop.dataset in DATASETS):
        return False
    if not any("is not in the reference list" in r for r in reasons or []):
        return False
    return reference.folder_codes(conn, drop.kode_pemda, drop.opd, drop.dataset) is not None


_REFERENCES_LANDED: dict[tuple[str, str], dict] = {}  # (run_id, relpath) -> what landing it gave


def _land_reference_once(
    url: str, landing: Path, archive: Path, relpath: str, run_id: str, kode_pemda: str, kind: str
) -> dict:
    key = (run_id, relpath)
    if key not in _REFERENCES_LANDED:
        _REFERENCES_LANDED[key] = land_reference(url, landing, archive, relpath, run_id, kode_pemda, kind)
    return _REFERENCES_LANDED[key]


def _references_first(url: str, landing: Path, archive: Path, kode_pemda: str, run_id: str) -> None:
    """A pemda's reference drops (`_referensi/opd.csv`, then `unit.csv`) are landed before its first data
    file of the run, whatever order the files come in, so the data is checked against the new lists."""
    for kind, name in reference.KINDS.items():
        relpath = f"{kode_pemda}/{reference.REFERENCE_FOLDER}/{name}"
        if (landing / relpath).is_file() and (run_id, relpath) not in _REFERENCES_LANDED:
            _land_reference_once(url, landing, archive, relpath, run_id, kode_pemda, kind)


def land_reference(
    url: str, landing: Path, archive: Path, relpath: str, run_id: str, kode_pemda: str, kind: str
) -> dict:
    """A reference file drop `<kode_pemda>/_referensi/opd.csv|unit.csv` (onboarding a pemda): validated
    and kept as the pemda's new current list (satudata/reference.py `onboard`) at landing, so the data
    files of the same pemda, loaded after every file of the batch is landed, are checked against it.
    Recorded in audit.source_file (opd `_referensi`, dataset `opd`|`unit`) as `loaded` (rows read =
    rows loaded) or `rejected` with every problem (file, row, column); the same content again is a
    `duplicate`, as for any file."""
    unsafe = unsafe_path(landing, relpath)
    if unsafe is None:
        sha, size = _keep(landing / relpath, archive)
    else:
        sha, size = "", 0
    with connect(url) as conn:
        same = (
            conn.execute(
                "select file_id, status from audit.source_file where sha256 = %s and kode_pemda = %s and opd = %s "
                "and dataset = %s and status in ('loaded', 'rejected') order by file_id desc limit 1",
                (sha, kode_pemda, reference.REFERENCE_FOLDER, kind),
            ).fetchone()
            if not unsafe
            else None
        )
        if (
            same
            and same[1] == "rejected"
            and kind == "unit"
            and conn.execute(
                "select 1 from reference.list_version where kode_pemda = %s and kind = 'opd' and valid_from > "
                "(select received_at from audit.source_file where file_id = %s)",
                (kode_pemda, same[0]),
            ).fetchone()
        ):
            same = None  # a crosswalk is checked against the OPD list, which changed since it was refused
        if same:
            _note(conn, run_id, relpath, same[0], "duplicate")
            return {"file_id": same[0], "relpath": relpath, "status": "duplicate", "sha256": sha}
        rows = 0
        try:
            if unsafe:
                raise reference.OnboardingError([unsafe])
            data = (archive / f"{sha}{Path(relpath).suffix.lower()}").read_bytes()
            with conn.transaction():
                result = reference.onboard(conn, kode_pemda, kind, data, relpath, run_id)
            rows = result["rows"]
            status = "loaded"
            reasons = [
                f"{kind} list of pemda {kode_pemda}: version {result['version_id']} ({result['status']}) / "
                f"daftar {kind} pemda {kode_pemda}: versi {result['version_id']}"
            ]
        except reference.OnboardingError as e:
            status, reasons = "rejected", e.problems
            log.warning("%s: reference list refused: %s", relpath, "; ".join(e.problems[:5]))
        inserted = conn.execute(
            "insert into audit.source_file (run_id, path, sha256, size_bytes, kode_pemda, opd, dataset, status, "
            "rows_read, rows_loaded, rows_quarantined, reasons) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0, %s) "
            "returning file_id",
            (
                run_id,
                relpath,
                sha,
                size,
                kode_pemda,
                reference.REFERENCE_FOLDER,
                kind,
                status,
                rows,
                rows if status == "loaded" else 0,
                json.dumps(reasons),
            ),
        )
        file_id = one(inserted)[0]
        _note(conn, run_id, relpath, file_id, status)
    log.info("%s: reference list of pemda %s, %s (%d rows)", relpath, kode_pemda, status, rows)
    return {"file_id": file_id, "relpath": relpath, "status": status, "sha256": sha}


def _note(conn, run_id: str, relpath: str, file_id: int, status: str) -> None:
    conn.execute(
        "insert into audit.run_file (run_id, relpath, file_id, land_status) values (%s, %s, %s, %s) "
        "on conflict (run_id, relpath) do update set file_id = excluded.file_id, land_status = excluded.land_status",
        (run_id, relpath, file_id, status),
    )
