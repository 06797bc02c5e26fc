"""Publication of one run, per publisher: the gate and the decision summary first, the PPID's choice, then
the datasets the PPID chose (issue 15). The pipeline's `decide` and `publish` stages call this module.

1. `prepare` (stage `decide`, after validation): the gate decides per dataset (satudata/publish/gate.py);
   then for each publisher (satudata/publish/publishers.py) each dataset is rendered for its rows only,
   with the small-cell suppression and the personal-data check, and compared with the publisher's current
   version: **siap terbit** (ready: new or changed content), **diblokir** (blocked: a fatal rule, a model not
   built, personal data found), **tidak berubah** (unchanged) or **tidak ada data** (no rows for it yet).
   The summary (rows, periods added / changed since the published version, the largest changes of the
   main measure, warnings, the personal-data check, what was suppressed) is kept as
   `reports/runs/<run_id>/keputusan_<kode_pemda>.md` (and `.json`), and is the body of the publisher's
   PPID request in Airflow (one Human-in-the-loop request per publisher: the ready datasets as options,
   several may be chosen, a reason for those held back; only the publisher's approvers may answer).
2. The PPID answers (or SATUDATA_AUTO_APPROVE=true chooses every ready dataset at once): kept in
   audit.publication_approval per run x publisher (satudata/publish/approval.py).
3. `publish` (stage `publish`): each publisher's chosen datasets get a new version in
   `published/<kode_pemda>/`; a ready dataset not chosen is recorded **ditunda PPID** (status `held`) with
   the reason and the approver; nothing the PPID did not choose is published, and a hold does not fail the
   run. Every decision goes to audit.publication through satudata/publish/ledger.py, the one writer.
   `published/index.html` lists the publishers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from typing import Any

from psycopg import sql

from satudata.config import PUBLISHER, Settings
from satudata.extract.connection import Connection
from satudata.publish import approval, gate, ledger, pii, publishers, release
from satudata.publish.tables import BULAN, periode_label, wall_clock
from satudata.rules import catalogue, catalogue_hash
from satudata.warehouse import connect, one
from satudata.warehouse.lock import stage_lock

log = logging.getLogger(__name__)

READY, BLOCKED, UNCHANGED, NO_DATA, HELD = "ready", "blocked", "unchanged", "no_data", "held"
LABEL = {
    READY: "siap terbit",
    BLOCKED: "diblokir",
    UNCHANGED: "tidak berubah",
    NO_DATA: "tidak ada data",
    HELD: "ditunda PPID",
}
NOTHING_TO_CHOOSE = approval.NOTHING_TO_CHOOSE
HOLD_PARAM = approval.HOLD_PARAM
HOLD_TITLE = approval.HOLD_TITLE
LARGEST = 3  # changes of the main measure listed per dataset
PLACE_COLUMNS = {"kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota"}
PERIOD_COLUMNS = {"periode", "tahun", "bulan", "semester", "triwulan"}


def git_commit(settings: Settings) -> str | None:
    proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=settings.repo_root, capture_output=True, text=True)
    return proc.stdout.strip() or None


def load_publishers(settings: Settings) -> tuple[publishers.Publisher, ...]:
    return publishers.load(settings.publishers_file)


# ------------------------------------------------------------------------------------- the gate


def _outcomes(url: str, run_id: str) -> list:
    from satudata.validate.gx_runner import RuleOutcome

    with connect(url) as conn:
        rows = conn.execute(
            "select rule_id, dataset, severity, success, failing_count, examples from audit.rule_result "
            "where run_id = %s",
            (run_id,),
        ).fetchall()
    return [RuleOutcome(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def _not_built(url: str, run_id: str) -> set[str]:
    with connect(url) as conn:
        rows = conn.execute(
            "select unique_id from audit.dbt_result where run_id = %s and status not in ('success', 'pass', 'warn')",
            (run_id,),
        ).fetchall()
    return {r[0] for r in rows}


def _gate(
    settings: Settings, url: str, run_id: str, listed: tuple[publishers.Publisher, ...]
) -> tuple[dict[str, dict], dict[str, list[gate.Decision]], list]:
    """The gate per publisher (kode_pemda -> its decisions): each publisher's decisions carry only the notes
    on its own pemda (Publisher.pemdas), so a PPID and a catalogue see their own gaps, not another's; a
    failed check whose failing rows are another pemda's does not block it, one that cannot be attributed
    blocks every publisher (gate.decide)."""
    from satudata.transform import publications

    pubs = publications(settings)
    outcomes = _outcomes(url, run_id)
    not_built = _not_built(url, run_id)
    decisions = {
        p.kode_pemda: gate.decide(pubs, not_built, outcomes, gate.source_notes(url, p.pemdas), p.pemdas) for p in listed
    }
    return pubs, decisions, outcomes


def _blocked_reasons(d: gate.Decision) -> list[dict[str, str]]:
    """Why the gate blocked it: rule id and the rule's plain Indonesian message (rules/catalogue.yaml)."""
    rules = catalogue()
    out = []
    if any(r.startswith("dbt model") for r in d.reasons):
        name = d.table.split(".")[-1]
        out.append({"rule_id": "DBT", "pesan": f"tabel {name} tidak terbentuk pada run ini (lihat hasil dbt)"})
    for rule_id in dict.fromkeys(d.failing_checks):
        rule = rules.get(rule_id)
        text = rule.text("id") if rule else rule_id
        if rule_id in d.unattributed:  # not this pemda's rows for sure: it blocks every publisher, say so
            text += " (tidak dapat dikaitkan dengan pemda tertentu, maka diblokir untuk semua penerbit)"
        out.append({"rule_id": rule_id, "pesan": text})
    return out


# ----------------------------------------------------------------------------- the summary


def _number(text: str) -> float | None:
    try:
        return float(text) if text not in ("", "NaN", "INF", "-INF") else None
    except ValueError:
        return None


def angka(value: float) -> str:
    """Indonesian number: 1.234.567 and 41,2."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def waktu(publisher: publishers.Publisher, moment: datetime) -> str:
    """A moment in the publisher's zone, written as Indonesians do: 6 Desember 2026 pukul 15.20 WIB."""
    local = moment.astimezone(publisher.timezone)
    return f"{local.day} {BULAN[local.month - 1]} {local.year} pukul {local:%H.%M} {publisher.zona_waktu}"


def _rows_by_key(data: bytes, key: list[str]) -> tuple[list[str], dict[tuple, list[str]]]:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader, [])
    idx = [header.index(k) for k in key if k in header]
    return header, {tuple(fields[i] for i in idx): fields for fields in reader}


def largest_changes(previous: bytes | None, data: bytes, meta: dict) -> list[str]:
    """The largest changes of the main measure (config.meta.measure) between the published version and this
    one, row by row on the primary key, e.g. "Persentase serapan Oktober 2024 DINAS KESEHATAN: 41,2% -> 47,9%"."""
    measure, key = meta.get("measure"), list(meta.get("primary_key") or [])
    if previous is None or not measure or not key:
        return []
    header, new = _rows_by_key(data, key)
    old_header, old = _rows_by_key(previous, key)
    if measure not in header or measure not in old_header:
        return []
    m, om = header.index(measure), old_header.index(measure)
    index = {name: i for i, name in enumerate(header)}
    unit = meta.get("satuan") or ""
    suffix = "%" if unit.upper() == "PERSEN" else f" {unit.lower()}" if unit else ""
    dims = [c for c in key if c not in PLACE_COLUMNS | PERIOD_COLUMNS]
    label = release.measure_words(measure)  # the measure in words, not its column name
    changes = []
    for k, fields in new.items():
        if k not in old:
            continue
        a, b = _number(old[k][om]), _number(fields[m])
        if a is None or b is None or a == b:
            continue
        names = []
        for c in dims:
            named = c.replace("kode_", "nama_") if c.startswith("kode_") else None
            names.append(fields[index[named]] if named in index and fields[index[named]] else fields[index[c]])
        period = periode_label(release._period_label(index, fields))
        where = " ".join(x for x in [period, *names] if x and x != "-")
        changes.append((abs(b - a), f"{label} {where}: {angka(a)}{suffix} -> {angka(b)}{suffix}"))
    changes.sort(key=lambda c: -c[0])
    return [text for _, text in changes[:LARGEST]]


def peringatan(warning: str) -> str:
    """A gate warning in plain Indonesian: the rule id and the rule's Indonesian message, with the count of
    rows it found, without the internal table names ("BEL-007 on stg_...: ... (6 failing)"); the gate's
    other notes (rows quarantined or kept with warnings, submissions missing) as the catalogue says them
    (release.public_note)."""
    rule_id = warning.split(" ", 1)[0]
    rule = catalogue().get(rule_id)
    if rule is None:
        return release.public_note(warning)
    found = re.search(r"\((\d+) failing\)", warning)
    return f"{rule_id}: {rule.text('id')}" + (f" ({found.group(1)} baris)" if found else "")


def _suppressed(s: pii.Suppression) -> str:
    if not s.applied:
        return "tidak ada (bukan data berbasis orang)"
    return (
        f"{angka(s.rows_suppressed)} baris dikosongkan (jumlah di bawah {s.threshold} orang, "
        f"kolom {', '.join(s.columns)})"
    )


def _row_count(url: str, table: str) -> int:
    schema, name = table.split(".")
    with connect(url) as conn:
        if one(conn.execute("select to_regclass(%s)", (table,)))[0] is None:
            return 0
        return one(conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(schema, name))))[0]


def assess(
    settings: Settings, url: str, publisher: publishers.Publisher, pub: dict, d: gate.Decision
) -> dict[str, Any]:
    """One dataset for one publisher, before the PPID decides: what publishing it now would do."""
    meta = pub["meta"]
    own = settings.for_publisher(publisher.kode_pemda)
    release.recover(own, d.dataset_id)
    current = release.load_catalog(own)["datasets"].get(d.dataset_id)
    item: dict[str, Any] = {
        "dataset_id": d.dataset_id,
        "table": d.table,
        "judul": meta.get("judul", d.dataset_id),
        "versi_terbit": current["version"] if current else None,
        "baris": None,
        "diblokir_karena": _blocked_reasons(d) if not d.publish else [],
        "periode": {"periode_baru": [], "periode_berubah": [], "periode_dihapus": []},
        "perubahan_terbesar": [],
        "peringatan": [peringatan(w) for w in d.warnings],
        "tidak_lengkap": [release.public_note(note) for note in d.incomplete],
        "data_pribadi": "tidak diperiksa (diblokir gerbang mutu)",
        "supresi": "-",
        "status_color": d.status_color,
    }
    if _row_count(url, d.table) == 0 and not current:  # nothing submitted yet: not a failure, nothing to publish
        item.update(status=NO_DATA, data_pribadi="-", diblokir_karena=[], peringatan=[])
        return item
    if not d.publish and (d.reasons or d.failing_checks):
        item["status"] = BLOCKED
        return item
    columns, rows = release.read_table(url, d.table, list(meta.get("primary_key", [])), publisher.kabupaten_kota)
    columns, rows, suppression = pii.suppress_small_cells(columns, rows, meta, settings.small_cell)
    findings = pii.scan(columns, rows, meta)
    item.update(baris=len(rows), supresi=_suppressed(suppression))
    if not rows and not current:
        item.update(status=NO_DATA, data_pribadi="-")
        return item
    if findings:
        item["status"] = BLOCKED
        item["data_pribadi"] = "DIBLOKIR: " + "; ".join(f.reason() for f in findings)
        item["diblokir_karena"] = [
            {"rule_id": f.rule_id, "pesan": f"data pribadi pada kolom {f.column} ({f.rows} baris): {f.message}"}
            for f in findings
        ]
        item["temuan_data_pribadi"] = [f.reason() for f in findings]  # for audit.publication, as before
        return item
    item["data_pribadi"] = "lolos (PII-001 s.d. PII-005: tidak ada NIK, NIP, nama, tanggal lahir atau kontak pribadi)"
    data = release.render_csv(columns, rows)
    sha = hashlib.sha256(data).hexdigest()
    def_hash = release.definition_hash(pub, release.table_schema(pub, columns, rows, suppression))
    if current and current.get("content_hash") == sha and current.get("definition_hash", def_hash) == def_hash:
        item["status"] = UNCHANGED
        return item
    previous_path = own.published / current["path"] / "data.csv" if current else None
    previous = previous_path.read_bytes() if previous_path and previous_path.exists() else None
    item["status"] = READY
    item["periode"] = release.period_changes(previous, data)
    item["perubahan_terbesar"] = largest_changes(previous, data, meta)
    return item


def summary_markdown(
    publisher: publishers.Publisher,
    run_id: str,
    items: list[dict],
    report_link: str,
    prepared_at: datetime | None = None,
) -> str:
    """The PPID's request body: per dataset a small two-column table (readable on a phone), the ready ones
    (those to decide on) first, then the blocked and the unchanged; the datasets with no data yet in one
    line. Plain Indonesian, numbers and times as Indonesians write them (times in the publisher's zone)."""
    counts = {s: sum(i["status"] == s for i in items) for s in (READY, BLOCKED, UNCHANGED, NO_DATA)}
    lines = [
        f"**{publisher.nama}** ({publisher.kode_pemda}). Disiapkan "
        f"{waktu(publisher, prepared_at or datetime.now(UTC))} dari proses pengolahan {run_id}.",
        "",
        f"{counts[READY]} siap terbit, {counts[BLOCKED]} diblokir, {counts[UNCHANGED]} tidak berubah, "
        f"{counts[NO_DATA]} tidak ada data.",
        "",
        "Centang dataset **siap terbit** yang akan diterbitkan. Dataset siap terbit yang tidak dicentang "
        "tidak diterbitkan dan dicatat *ditunda PPID* atas nama Anda, dengan alasan yang Anda tulis di kolom "
        f"*{HOLD_TITLE}* (wajib bila ada yang ditunda). Dataset lain (diblokir, tidak berubah, tidak ada "
        "data) tidak dapat dipilih.",
        "",
    ]
    order = [READY, BLOCKED, UNCHANGED]
    for i in sorted((i for i in items if i["status"] in order), key=lambda i: order.index(i["status"])):
        per = i["periode"]
        rows = [
            ("Status", LABEL[i["status"]]),
            ("Judul", i["judul"]),
            ("Baris", angka(i["baris"]) if i["baris"] is not None else "-"),
            ("Versi terbit", i["versi_terbit"] or "belum pernah"),
        ]
        if i["diblokir_karena"]:
            rows.append(("Alasan diblokir", "; ".join(f"{b['rule_id']}: {b['pesan']}" for b in i["diblokir_karena"])))
        if i["status"] == READY:
            rows.append(("Periode baru", ", ".join(periode_label(p) for p in per["periode_baru"]) or "-"))
            rows.append(("Periode berubah", ", ".join(periode_label(p) for p in per["periode_berubah"]) or "-"))
            if per["periode_dihapus"]:
                rows.append(("Periode dihapus", ", ".join(periode_label(p) for p in per["periode_dihapus"])))
            rows.append(("Perubahan terbesar", "; ".join(i["perubahan_terbesar"]) or "-"))
        rows.append(("Peringatan", "; ".join(i["peringatan"]) or "tidak ada"))
        if i["tidak_lengkap"]:
            rows.append(("Belum lengkap", "; ".join(i["tidak_lengkap"])))
        rows.append(("Data pribadi", i["data_pribadi"]))
        rows.append(("Sel disembunyikan", i["supresi"]))
        lines += [f"#### {i['dataset_id']}: {LABEL[i['status']]}", "", "| Hal | Keterangan |", "|---|---|"]
        lines += [f"| {k} | {str(v).replace('|', '/')} |" for k, v in rows]
        lines.append("")
    if no_data := [i["dataset_id"] for i in items if i["status"] == NO_DATA]:
        lines += [f"**{LABEL[NO_DATA].capitalize()}** (belum ada kiriman untuk pemda ini): {', '.join(no_data)}.", ""]
    lines.append(f"Laporan lengkap proses ini: {report_link}")
    return "\n".join(lines) + "\n"


def _decision_files(settings: Settings, run_id: str, kode_pemda: str) -> tuple:
    from satudata.report.runs import run_dir

    folder = run_dir(settings, run_id)
    return folder / f"keputusan_{kode_pemda}.md", folder / f"keputusan_{kode_pemda}.json"


def prepare(settings: Settings, run_id: str) -> list[dict[str, Any]]:
    """Stage `decide`: the gate, then per publisher its decision summary (written to the run's folder) and
    the Airflow Human-in-the-loop request for its PPID (subject, body, options, assigned_users)."""
    settings = settings.as_role(PUBLISHER)
    url = settings.require_url()
    listed = load_publishers(settings)
    pubs, decisions, _ = _gate(settings, url, run_id, listed)
    prepared_at = datetime.now(UTC)
    requests = []
    for publisher in listed:
        items = [assess(settings, url, publisher, pubs[d.table], d) for d in decisions[publisher.kode_pemda]]
        md_path, json_path = _decision_files(settings, run_id, publisher.kode_pemda)
        link = str(md_path.parent)
        body = summary_markdown(publisher, run_id, items, link, prepared_at)
        md_path.parent.mkdir(parents=True, exist_ok=True)
        md_path.write_text(f"# Keputusan PPID: {publisher.nama}\n\n" + body, encoding="utf-8")
        json_path.write_text(
            json.dumps({"kode_pemda": publisher.kode_pemda, "run_id": run_id, "datasets": items}, indent=2) + "\n",
            encoding="utf-8",
        )
        ready = [i["dataset_id"] for i in items if i["status"] == READY]
        requests.append(
            {
                "kode_pemda": publisher.kode_pemda,
                "subject": f"Persetujuan PPID {publisher.nama}: {len(ready)} dataset siap terbit "
                f"({waktu(publisher, prepared_at)})",
                "body": body,
                "options": ready or [NOTHING_TO_CHOOSE],
                "assigned_users": publisher.hitl_users,
            }
        )
        log.info("%s: %d ready, summary at %s", publisher.kode_pemda, len(ready), md_path)
    return requests


# --------------------------------------------------------------------------------- publishing


def publish(settings: Settings, run_id: str, ckan: dict | None = None) -> dict:
    """Stage `publish`: per publisher, the datasets its PPID chose. One run at a time publishes."""
    if ckan:
        settings = replace(settings, ckan_connection=Connection.from_dict(ckan, "ckan_default"))
    with stage_lock(settings.as_role(PUBLISHER).require_url(), "publish", run_id, settings.lock_timeout):
        return _publish(settings.as_role(PUBLISHER), run_id)


def _publish(settings: Settings, run_id: str) -> dict:
    from satudata.transform import manifest_hash

    url = settings.require_url()
    configured = load_publishers(settings)
    pubs, decisions, outcomes = _gate(settings, url, run_id, configured)
    provenance = {
        "run_id": run_id,
        "git_commit": git_commit(settings),
        "dbt_manifest_hash": manifest_hash(settings),
        "rule_catalogue_hash": catalogue_hash(),
    }
    out: dict[str, dict] = {}
    chosen_by = approval.choices(url, run_id)
    listed = []
    for publisher in configured:
        by_table = {d.table: d for d in decisions[publisher.kode_pemda]}
        own = settings.for_publisher(publisher.kode_pemda)
        _, json_path = _decision_files(settings, run_id, publisher.kode_pemda)
        items = json.loads(json_path.read_text(encoding="utf-8"))["datasets"] if json_path.exists() else []
        answer = chosen_by.get(publisher.kode_pemda)
        results = {}
        for item in items:
            d = by_table[item["table"]]
            common: dict[str, Any] = {
                "provenance": provenance,
                "warnings": d.warnings,
                "incomplete": d.incomplete,
                "status_color": d.status_color,
            }
            status = item["status"]
            if status == READY and (answer is None or item["dataset_id"] not in answer["chosen"]):
                who = answer["by"] if answer else None
                reason = (answer or {}).get("reason") or (
                    "PPID belum menjawab" if answer is None else "tanpa alasan tertulis"
                )
                ledger.record(
                    url,
                    run_id,
                    publisher.kode_pemda,
                    item["dataset_id"],
                    HELD,
                    version=item["versi_terbit"],
                    row_count=item["baris"],
                    reasons=[f"ditunda PPID ({who or '-'}): {reason}"],
                    held_reason=reason,
                    held_by=who,
                    **common,
                )
                results[item["dataset_id"]] = {"status": HELD, "version": item["versi_terbit"], "reason": reason}
                log.info("%s/%s: ditunda PPID by %s: %s", publisher.kode_pemda, item["dataset_id"], who, reason)
                continue
            if status in (READY, UNCHANGED):
                checked = [o for o in outcomes if o.table == d.table.split(".")[-1]]
                mine = [o for o in checked if not o.success and gate.concerns(o, publisher.pemdas)]
                validation = {
                    "status": "passed_with_warnings" if d.warnings else "passed",
                    "checks": len(checked),
                    "failed_checks": len(mine),  # another pemda's failing rows are not this publisher's
                    **gate.validation_note(d),
                }
                result = release.publish_dataset(
                    own, url, d.table, pubs[d.table], validation, provenance, publisher=publisher
                )
                reasons = result.get("reasons", [])
            else:
                result = {"status": status, "version": item["versi_terbit"], "row_count": item["baris"]}
                # the gate's reasons (rule, table, count) or the personal-data findings (rule, column)
                reasons = list(d.reasons if d.reasons else item.get("temuan_data_pribadi", []))
                if status == NO_DATA:  # nothing submitted yet: not a failure (grey)
                    reasons, common["status_color"] = [], gate.GREY
            ledger.record(
                url,
                run_id,
                publisher.kode_pemda,
                item["dataset_id"],
                result["status"],
                version=result.get("version"),
                row_count=result.get("row_count"),
                content_hash=result.get("content_hash"),
                reasons=reasons,
                **common,
            )
            results[item["dataset_id"]] = {"status": result["status"], "version": result.get("version")}
        release.finish_publication(own, url, run_id)  # catalog.json, catalog.jsonld, index.html, CKAN
        out[publisher.kode_pemda] = results
        listed.append(publisher)
    write_index(settings, listed)
    return out


def write_index(settings: Settings, listed: list[publishers.Publisher]) -> None:
    """`published/index.html`: the publishers, each with its catalogue and its PPID's contact."""
    root = settings.published_root
    root.mkdir(parents=True, exist_ok=True)
    cards = []
    for p in listed:
        catalog = release.load_catalog(settings.for_publisher(p.kode_pemda))
        cards.append(
            f'<li><a href="{escape(p.kode_pemda)}/index.html">{escape(p.nama)}</a> '
            f"<span>({escape(p.kode_pemda)}, {len(catalog['datasets'])} dataset, {escape(p.zona_waktu)})</span><br>"
            f"<small>Walidata: {escape(p.walidata)}. PPID: {escape(p.ppid_nama)}, "
            f'<a href="mailto:{escape(p.ppid_email)}">{escape(p.ppid_email)}</a></small></li>'
        )
    now = wall_clock(datetime.now(UTC))  # the one time formatter (the PPID summary's and the catalogue's)
    page = (
        '<!doctype html>\n<html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Satu Data: penerbit data terbuka</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1rem;max-width:48rem;overflow-wrap:anywhere}"
        "li{margin:.75rem 0}</style></head><body>"
        "<h1>Penerbit data terbuka</h1><p>Setiap pemerintah daerah menerbitkan datanya sendiri, "
        "diputuskan oleh PPID-nya.</p><ul>" + "".join(cards) + f"</ul><p><small>Diperbarui {now}</small></p>"
        "</body></html>\n"
    )
    tmp = root / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(root / "index.html")
