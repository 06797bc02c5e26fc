"""Row rules of the catalogue (implementation kind `row`): run on landing, one submitted row at a time.

Each check takes the typed row (canonical column -> value) and returns the findings it raises.
A `RowChecker` holds what a file-level rule must remember (keys seen so far).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from satudata.rules import Finding, catalogue, finding

Row = dict[str, Any]
RowCheck = Callable[[Row], list[Finding]]

ROW_CHECKS: dict[str, Callable[..., list[Finding]]] = {}


def row_rule(rule_id: str):
    def register(fn):
        ROW_CHECKS[rule_id] = fn
        return fn

    return register


@row_rule("PEG-001")
def nip_has_18_digits(row: Row) -> list[Finding]:
    nip = row.get("nip")
    if nip is None:
        if row.get("status_kepegawaian", "NON_ASN") == "NON_ASN":
            return []
        return [finding("PEG-001", "nip", None, "18 digit")]
    if len(nip) != 18 or not nip.isdigit():
        return [finding("PEG-001", "nip", nip, "18 digit")]
    return []


@row_rule("BEL-001")
def sp2d_positive(row: Row) -> list[Finding]:
    nilai = row.get("nilai")
    return [finding("BEL-001", "nilai", nilai, "> 0")] if nilai is not None and nilai <= 0 else []


@row_rule("SKM-001")
def skm_scores_1_to_4(row: Row) -> list[Finding]:
    return [
        finding("SKM-001", f"u{i}", row[f"u{i}"], "1-4")
        for i in range(1, 10)
        if row.get(f"u{i}") is not None and not 1 <= row[f"u{i}"] <= 4
    ]


@row_rule("LAY-001")
def selesai_not_before_masuk(row: Row) -> list[Finding]:
    masuk, selesai = row.get("tanggal_masuk"), row.get("tanggal_selesai")
    if masuk and selesai and selesai < masuk:
        return [finding("LAY-001", "tanggal_selesai", selesai.isoformat(), f">= {masuk.isoformat()}")]
    return []


@row_rule("LAY-002")
def selesai_has_date(row: Row) -> list[Finding]:
    if row.get("status") == "SELESAI" and row.get("tanggal_selesai") is None:
        return [finding("LAY-002", "tanggal_selesai", None, "tanggal selesai")]
    return []


class RowChecker:
    """Runs every row rule of a dataset over the rows of one file."""

    def __init__(self, dataset: str, opd_folder: str, opd_codes: set[str]):
        self.dataset = dataset
        self.opd_folder = opd_folder
        self.opd_codes = {c.upper() for c in opd_codes} | {opd_folder.upper()}
        self.checks = [
            ROW_CHECKS[r.id] for r in catalogue().values()
            if r.implementation["kind"] == "row" and r.applies_to(dataset) and r.id in ROW_CHECKS
        ]
        self.seen_keys: set[tuple] = set()

    def check(self, row: Row) -> list[Finding]:
        found: list[Finding] = []
        kode_opd = row.get("kode_opd")
        if kode_opd is not None and kode_opd.upper() not in self.opd_codes:
            found.append(finding("REF-001", "kode_opd", kode_opd, self.opd_folder))
        for check in self.checks:
            found += check(row)
        if self.dataset == "pegawai" and row.get("nip"):
            key = (row["nip"], row.get("periode"))
            if key in self.seen_keys:
                found.append(finding("PEG-005", "nip", row["nip"], "satu baris per (nip, periode)"))
            self.seen_keys.add(key)
        return found
