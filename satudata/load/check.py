"""`satudata check FILE`: check a file before sending it, offline (no warehouse, no Airflow).

The same reader, export profiles and row rules as the load (satudata/load/loader.py: `open_submission`,
`checked_rows`, `file_outcome`), and the same feedback workbook as the pipeline writes
(satudata/report/feedback.py: `write_report`), so what an OPD operator sees here is what the pipeline
will say about the file. Exit code: 0 clean, 1 with findings, 2 refused (the file cannot be read, or its
pemda / OPD / dataset is not known).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from satudata.datasets import DATASETS
from satudata.extract.discover import KODE_PEMDA, OPD_FOLDER, parse_drop_path
from satudata.extract.readers import FileRejected
from satudata.load.loader import FileTally, checked_rows, file_outcome, open_submission
from satudata.report.feedback import SEVERITY_ID, STATUS_ID, indonesian, write_report
from satudata.rules import catalogue

CLEAN, FINDINGS, REFUSED = 0, 1, 2


@dataclass
class CheckResult:
    file: dict[str, Any]  # the feedback workbook's file record (as audit.source_file would hold it)
    findings: list[tuple] = field(default_factory=list)  # as audit.row_finding: sheet, row, column, rule, ...
    workbook: Path | None = None
    refused: bool = False

    @property
    def exit_code(self) -> int:
        if self.refused:
            return REFUSED
        return FINDINGS if self.findings or self.file["status"] != "loaded" else CLEAN


class CheckRefused(Exception):
    """What the file is cannot be told (pemda, OPD or dataset): the check is refused (exit 2)."""


def identify(path: Path, kode_pemda: str | None, opd: str | None, dataset: str | None) -> tuple[str, str, str]:
    """pemda, OPD and dataset: as given, else from the path when it follows the landing layout
    `<kode_pemda>/<OPD>/<dataset>/<file>`."""
    parts = path.resolve().parts
    drop = parse_drop_path("/".join(parts[-4:])) if len(parts) >= 4 else None
    kode_pemda = kode_pemda or (drop.kode_pemda if drop else None)
    opd = opd or (drop.opd if drop else None)
    dataset = dataset or (drop.dataset if drop else None)
    problems = []
    if not kode_pemda or not KODE_PEMDA.match(kode_pemda):
        problems.append("kode pemda tidak diketahui (mis. --pemda 72.71) / pemda code unknown (e.g. --pemda 72.71)")
    if not opd or not OPD_FOLDER.match(opd):
        problems.append("OPD tidak diketahui (mis. --opd DINKES) / OPD unknown (e.g. --opd DINKES)")
    if not dataset or dataset not in DATASETS:
        problems.append(
            f"dataset {dataset!r} tidak dikenal; salah satu dari: {', '.join(sorted(DATASETS))} / unknown dataset"
        )
    if problems:
        raise CheckRefused("; ".join(problems))
    return kode_pemda, opd, dataset  # type: ignore[return-value]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _service_names(path: Path, kode_pemda: str, opd: str) -> dict[str, str]:
    """What the load gives an e-SKM export that names its services (the OPD's jenis_layanan rows: name ->
    code), taken offline from the OPD's jenis_layanan files beside it in the landing layout
    (`<OPD>/jenis_layanan/`), read and checked as the load would; empty when there are none."""
    folder = path.resolve().parent.parent / "jenis_layanan"
    names: dict[str, str] = {}
    dataset = DATASETS["jenis_layanan"]
    for f in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not f.is_file() or f.name.startswith("."):
            continue
        try:
            table, codes, _ = open_submission(f, f"{kode_pemda}/{opd}/jenis_layanan/{f.name}", kode_pemda, opd, dataset)
        except FileRejected:
            continue
        with table:
            for _src, row, _found in checked_rows(table, dataset, opd, codes, FileTally()):
                if row is not None and row.get("nama_layanan") and row.get("kode_layanan"):
                    names[row["nama_layanan"]] = row["kode_layanan"]
    return names


def check_file(path: Path, kode_pemda: str, opd: str, dataset_name: str) -> CheckResult:
    """Read and check one file as the load would; nothing is written anywhere."""
    dataset = DATASETS[dataset_name]
    relpath = f"{kode_pemda}/{opd}/{dataset_name}/{path.name}"
    record: dict[str, Any] = {
        "path": relpath,
        "relpath": relpath,
        "kode_pemda": kode_pemda,
        "opd": opd,
        "dataset": dataset_name,
        "received_at": None,
        "checked_at": datetime.now().astimezone(),
        "sheet": None,
        "header_row": None,
        "rows_read": 0,
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "rows_set_aside": 0,
        "set_aside": {},
        "profile": None,
        "reasons": [],
        "layout": None,
        "sha256": _sha256(path),
    }
    findings: list[tuple] = []
    try:
        state = {"jenis_layanan": _service_names(path, kode_pemda, opd)} if dataset_name == "survei_kepuasan" else {}
        table, codes, context = open_submission(path, relpath, kode_pemda, opd, dataset, state)
        tally = FileTally()
        with table:
            for src, _row, found in checked_rows(table, dataset, opd, codes, tally):
                findings.extend(
                    (table.sheet, src.row_number, f.column, f.rule_id, f.severity, f.provided, f.expected, f.message)
                    for f in found
                )
        out = file_outcome(table, tally, context, path.name, relpath)
    except FileRejected as e:  # as the loader's _reject: the whole file, with the reason
        record.update(status="rejected", reasons=[str(e.reason).replace(str(path), relpath)])
        return CheckResult(record, [], refused=True)
    out["layout"] = json.loads(out["layout"])
    record.update(out)
    return CheckResult(record, findings)


def workbook_path(out_dir: Path, source: Path) -> Path:
    """`<out>/<file name>.xlsx`, as the pipeline names the feedback; never the checked file itself."""
    target = out_dir / f"{source.stem}.xlsx"
    if target.resolve() == source.resolve():
        target = out_dir / f"{source.stem} (pemeriksaan).xlsx"
    return target


def summary_text(result: CheckResult) -> str:
    f = result.file
    lines = [
        f"Pemeriksaan berkas / file check: {f['relpath']}",
        f"  Pemda {f['kode_pemda']}, OPD {f['opd']}, dataset {f['dataset']}",
    ]
    if result.refused:
        lines.append("  Hasil: DITOLAK SELURUHNYA — berkas tidak dapat diterima / result: REFUSED as a whole")
        lines += [f"  Alasan / reason: {r}" for r in f["reasons"]]
    else:
        lines.append(
            f"  Baris dibaca {f['rows_read']}: dimuat {f['rows_loaded']}, dikarantina "
            f"{f['rows_quarantined']}, disisihkan {f['rows_set_aside']} / rows read {f['rows_read']}: "
            f"loaded {f['rows_loaded']}, quarantined {f['rows_quarantined']}, set aside "
            f"{f['rows_set_aside']}"
        )
        by_rule = Counter((r[3], r[4]) for r in result.findings)
        if by_rule:
            lines.append("  Temuan per aturan / findings per rule:")
        for (rule_id, severity), n in sorted(by_rule.items()):
            rule = catalogue().get(rule_id)
            text = rule.text("id") if rule else ""
            lines.append(f"    {rule_id} {SEVERITY_ID.get(severity, severity)}: {n} — {text}")
        for reason in f["reasons"]:
            lines.append(f"  Catatan: {indonesian(str(reason))}")
        state = STATUS_ID.get(f["status"], f["status"])
        if result.exit_code == CLEAN:
            lines.append(
                f"  Hasil bila dikirim: {state}, tidak ada temuan — siap dikirim / result: clean, ready to send"
            )
        else:
            lines.append(
                f"  Hasil bila dikirim: {state}, ADA TEMUAN — perbaiki baris yang disebut di lembar "
                "Temuan lalu periksa lagi sebelum dikirim / result: findings, fix the rows, check again"
            )
    if result.workbook is not None:
        lines.append(f"  Laporan (xlsx) / workbook: {result.workbook}")
    return "\n".join(lines)


def run_check(file: Path, kode_pemda: str | None, opd: str | None, dataset: str | None, out_dir: Path) -> int:
    """The command: check, write the workbook, print the summary; returns the exit code."""
    file = Path(file)
    if not file.is_file():
        print(f"Berkas tidak ditemukan / file not found: {file}")
        return REFUSED
    try:
        kode_pemda, opd, dataset = identify(file, kode_pemda, opd, dataset)
    except CheckRefused as e:
        print(f"Pemeriksaan ditolak / check refused: {file}: {e}")
        return REFUSED
    result = check_file(file, kode_pemda, opd, dataset)
    out_dir.mkdir(parents=True, exist_ok=True)
    result.workbook = workbook_path(out_dir, file)
    write_report(result.workbook, result.file, result.findings, result.file["status"])
    print(summary_text(result))
    return result.exit_code
