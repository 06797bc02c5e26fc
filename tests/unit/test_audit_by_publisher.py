"""The auditors' report grouped by publisher (satudata/report/audit.by_publisher): each publisher's part holds
the files, submissions, quarantine, decisions and PPID answer of its own pemda (a provinsi: of the kab/kota it
consolidates), rows of no publisher are a part of their own, and every row of the tables is in a part.
The whole page against a real run: tests/integration/test_audit_report.py."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from satudata.config import Settings
from satudata.report import audit

PUBLISHERS = (Path(__file__).parents[1] / "fixtures" / "publishers_metro_kupang_lampung.yaml").read_text(
    encoding="utf-8"
)


def file(kode: str, read: int, quarantined: int, status: str = "loaded") -> dict:
    return {
        "kode_pemda": kode,
        "status": status,
        "rows_read": read,
        "rows_loaded": read - quarantined,
        "rows_quarantined": quarantined,
        "rows_set_aside": 0,
    }


def pub(kode: str, dataset: str, status: str, **extra) -> dict:
    return {
        "kode_pemda": kode,
        "dataset_id": dataset,
        "status": status,
        "status_color": "amber" if status != "no_data" else "grey",
        "reasons": [],
        "warnings": [],
        "incomplete": [],
        "held_reason": None,
        "held_by": None,
        **extra,
    }


def test_each_publisher_sees_its_own_rows_decisions_and_ppid_answer(tmp_path):
    config = tmp_path / "publishers.yaml"
    config.write_text(PUBLISHERS, encoding="utf-8")
    settings = dataclasses.replace(Settings.from_env({"SATUDATA_OUT": str(tmp_path / "out")}), publishers_file=config)
    at = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)
    data = {
        "files": [file("18.72", 100, 5), file("18.72", 10, 0, "rejected"), file("53.71", 40, 1), file("99.99", 7, 0)],
        "expected": [
            {
                "kode_pemda": "18.72",
                "opd": "DINKES",
                "dataset": "pegawai",
                "periode": "2024-01",
                "status": "missing",
                "partial": False,
                "days_late": None,
            },
            {
                "kode_pemda": "53.71",
                "opd": "DINKES",
                "dataset": "pegawai",
                "periode": "2024-01",
                "status": "on_time",
                "partial": False,
                "days_late": None,
            },
        ],  # fmt: skip
        "quarantine_by_pemda": [{"kode_pemda": "18.72", "rule_id": "FMT-001", "rows": 5}],
        "approvals": [
            {
                "kode_pemda": "18.72",
                "decision": "terbitkan: serapan_anggaran",
                "approved_by": "ppid.metro",
                "responded_at": at,
                "method": "hitl",
                "details": {"chosen_options": ["serapan_anggaran"]},
            },
            {
                "kode_pemda": "53.71",
                "decision": "Approve",
                "approved_by": "SATUDATA_AUTO_APPROVE",
                "responded_at": at,
                "method": "auto",
                "details": {},
            },
        ],  # fmt: skip
        "pubs": [
            pub("18.72", "asn_jumlah", "held", held_reason="menunggu BKPSDM", held_by="ppid.metro"),
            pub("18.72", "serapan_anggaran", "published"),
            pub("53.71", "asn_jumlah", "published"),
            pub("", "ikm_layanan", "reverted", actor="ppid.kota"),
        ],
    }

    parts = {g["kode_pemda"]: g for g in audit.by_publisher(data, settings)}

    # a part per publisher in the config's order, then the rows of no publisher
    assert list(parts) == ["18", "18.72", "53.71", "", "99.99"]
    metro, kupang, lampung = parts["18.72"], parts["53.71"], parts["18"]
    assert (metro["totals"]["files"], metro["totals"]["rows_read"], metro["totals"]["files_rejected"]) == (2, 110, 1)
    assert (kupang["totals"]["files"], kupang["totals"]["rows_quarantined"]) == (1, 1)
    # the provinsi's part holds the rows of the kab/kota it consolidates, and only its own decisions
    assert lampung["totals"]["rows_read"] == 110 and lampung["pubs"] == [] and lampung["approval"] is None
    # Metro's hold with its reason and approver, and its PPID's answer in its own zone; none of it in Kupang's
    [held] = [p for p in metro["pubs"] if p["status"] == "held"]
    assert (held["label"], held["held_reason"], held["held_by"]) == ("ditunda PPID", "menunggu BKPSDM", "ppid.metro")
    assert metro["approval"]["pada"] == "2026-12-06 08:30 WIB" and kupang["approval"]["pada"] == "2026-12-06 09:30 WITA"
    assert [p["status"] for p in kupang["pubs"]] == ["published"] and kupang["statuses"]["held"] == 0
    assert metro["expected"]["missing"] == 1 and kupang["expected"] == {"on_time": 1}
    [gap] = metro["gaps"]
    assert (gap["opd_nama"], gap["periode_kata"]) == ("Dinas Kesehatan Kota Metro", "Januari 2024")
    assert (
        metro["quarantine"] == [{"kode_pemda": "18.72", "rule_id": "FMT-001", "rows": 5}] and not kupang["quarantine"]
    )
    # every row is in a part: a revert of the shared catalogue, and files of a pemda with no publisher
    assert [p["dataset_id"] for p in parts[""]["pubs"]] == ["ikm_layanan"]
    assert parts["99.99"]["totals"]["rows_read"] == 7 and not parts["99.99"]["configured"]
    total = sum(g["totals"]["rows_read"] for k, g in parts.items() if k != "18")  # Lampung repeats Metro's
    assert total == sum(f["rows_read"] for f in data["files"])
