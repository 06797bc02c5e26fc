"""Every run kept: `reports/runs/<run_id>/` and the list of runs, `reports/index.html`.

A later run never overwrites what an earlier one reported. Per run:

    reports/runs/<run_id>/
      audit/index.html      the auditors' report of that run (satudata/report/audit.py)
      run_summary.json      its run summary (satudata/report/run_summary.py)
      feedback/<kode_pemda>/<OPD>/<file>.xlsx   the submitter feedback of the files it saw (hard links)
      decisions.json        per publisher and dataset the decision (published / unchanged / blocked /
                            held "ditunda PPID", why, by whom) and each publisher PPID's answer
      keputusan_<kode_pemda>.md/.json   the decision summary the publisher's PPID was shown (publish/run.py)

`reports/audit/index.html` is the latest run's report; `reports/index.html` lists every run (status,
versions published, findings). Each published version's metadata.json names its run and links to the
run's report (satudata/publish/release.py, `laporan_jalankan`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from satudata.config import Settings

RUNS = "runs"


def run_dir(settings: Settings, run_id: str) -> Path:
    """The run's own folder (run ids are already path-safe: pipeline.safe_run_id)."""
    if not run_id or "/" in run_id or run_id in (".", ".."):
        raise ValueError(f"not a run id: {run_id!r}")
    return settings.reports / RUNS / run_id


def report_page(settings: Settings, run_id: str) -> Path:
    return run_dir(settings, run_id) / "audit" / "index.html"


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (date, datetime)) else str(v) if isinstance(v, Decimal) else v


def write_json(path: Path, payload: Any, default: Callable[[Any], Any] = _plain) -> None:
    """`payload` as indented JSON, replacing `path` whole (a temporary file, then a rename). Streamed by
    json.dump: json.dumps with indent builds the text in millions of pieces (a nasional run's 45.7 MB
    run_summary.json took 453 MB that way)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        json.dump(payload, out, indent=2, ensure_ascii=False, default=default)
        out.write("\n")
    os.replace(tmp, path)


def keep_summary(settings: Settings, run_id: str, summary: dict) -> Path:
    path = run_dir(settings, run_id) / "run_summary.json"
    write_json(path, summary)
    return path


def keep_feedback(settings: Settings, run_id: str, root: Path, reports: list[Path]) -> None:
    """The run's feedback workbooks under its folder: hard links (no copy of thousands of files), a copy
    where a link cannot be made. A workbook rewritten by a later run is a new file: the link keeps this
    run's."""
    target = run_dir(settings, run_id) / "feedback"
    for path in reports:
        kept = target / path.relative_to(root)
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.unlink(missing_ok=True)
        try:
            os.link(path, kept)
        except OSError:
            shutil.copy2(path, kept)


def keep_decisions(conn: Any, settings: Settings, run_id: str) -> Path:
    cur = conn.execute(
        "select kode_pemda, dataset_id, status, version, row_count, content_hash, status_color, reasons, warnings, "
        "incomplete, held_reason, held_by, decided_at from audit.publication where run_id = %s "
        "order by kode_pemda, dataset_id",
        (run_id,),
    )
    names = [d.name for d in cur.description]
    datasets = [dict(zip(names, r, strict=True)) for r in cur]
    cur = conn.execute(
        "select kode_pemda, decision, approved_by, method, responded_at, details from audit.publication_approval "
        "where run_id = %s order by kode_pemda",
        (run_id,),
    )
    names = [d.name for d in cur.description]
    approvals = [dict(zip(names, r, strict=True)) for r in cur]  # one per publisher's PPID
    path = run_dir(settings, run_id) / "decisions.json"
    write_json(
        path,
        {
            "run_id": run_id,
            "persetujuan_ppid": approvals[0] if len(approvals) == 1 else approvals or None,
            "datasets": datasets,
        },
    )
    return path


def keep_report(settings: Settings, run_id: str, html: str) -> Path:
    page = report_page(settings, run_id)
    page.parent.mkdir(parents=True, exist_ok=True)
    tmp = page.with_suffix(".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, page)
    return page


def _runs(settings: Settings) -> list[dict[str, Any]]:
    root = settings.reports / RUNS
    runs = []
    for folder in sorted(root.iterdir()) if root.exists() else []:
        path = folder / "run_summary.json"
        if not folder.is_dir() or not path.exists():
            continue
        try:
            s = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        datasets = s.get("datasets", {})
        totals = s.get("totals", {})
        runs.append(
            {
                "run_id": folder.name,
                "generated_at": s.get("generated_at") or "",
                "status": s.get("status", "?"),
                "published": sorted(
                    f"{d} {v['version']}" for d, v in datasets.items() if v.get("status") == "published"
                ),
                "blocked": sorted(d for d, v in datasets.items() if v.get("status") == "blocked"),
                "files": totals.get("files", 0),
                "rows_read": totals.get("rows_read", 0),
                "rows_quarantined": totals.get("rows_quarantined", 0),
                "files_rejected": totals.get("files_rejected", 0),
                "report": (folder / "audit" / "index.html").exists(),
            }
        )
    runs.sort(key=lambda r: (r["generated_at"], r["run_id"]), reverse=True)
    return runs


def _num(n: int) -> str:
    return f"{n:,}".replace(",", ".")


STATUS_ID = {"success": "berhasil", "failed": "gagal"}


def write_index(settings: Settings) -> Path:
    """reports/index.html: every kept run, newest first, with its report, summary, decisions and feedback."""
    rows = []
    for r in _runs(settings):
        base = f"{RUNS}/{escape(r['run_id'])}"
        links = [
            f'<a href="{base}/audit/index.html">laporan audit</a>' if r["report"] else "",
            f'<a href="{base}/run_summary.json">ringkasan</a>',
            f'<a href="{base}/decisions.json">keputusan</a>',
            f'<a href="{base}/feedback/">umpan balik</a>',
        ]
        rows.append(
            f'<tr data-run="{escape(r["run_id"])}" data-status="{escape(r["status"])}">'
            f"<td><code>{escape(r['run_id'])}</code><br><small>{escape(r['generated_at'])}</small></td>"
            f'<td><span class="pill {"green" if r["status"] == "success" else "red"}">'
            f"{escape(STATUS_ID.get(r['status'], r['status']))} / {escape(r['status'])}</span></td>"
            f"<td>{escape(', '.join(r['published']) or '-')}"
            + (f"<br><small>diblokir / blocked: {escape(', '.join(r['blocked']))}</small>" if r["blocked"] else "")
            + f'</td><td class="num">{_num(r["files"])} berkas, {_num(r["files_rejected"])} ditolak<br>'
            f"{_num(r['rows_read'])} baris, {_num(r['rows_quarantined'])} dikarantina</td>"
            f"<td>{' · '.join(x for x in links if x)}</td></tr>"
        )
    html = f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Satu Data: semua jalankan / all runs</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; margin: 0; padding: 8px 16px; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #d8dde3; padding: 4px 6px; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }}
.pill {{ color: #fff; border-radius: 10px; padding: 1px 8px; font-size: 12px; }}
.green {{ background: #1a7f37; }} .red {{ background: #c62828; }}
@media (max-width: 600px) {{ thead {{ display: none; }} tr, td {{ display: block; }} tr {{ margin-bottom: 8px; }} }}
</style></head><body>
<h1>Semua jalankan pipeline / All pipeline runs</h1>
<p>Setiap jalankan menyimpan laporannya sendiri; jalankan berikutnya tidak menimpanya. Laporan terbaru:
<a href="audit/index.html">audit/index.html</a>. / Every run keeps its own report.</p>
<table><thead><tr><th>Jalankan / run</th><th>Status</th><th>Versi diterbitkan / published</th>
<th>Temuan / findings</th><th>Berkas / files</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    path = settings.reports / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".index.html.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
