"""Acceptance 3 of issue 15: a reader tries to recover every suppressed cell of the published person-based
tables of the sample run (real files, real warehouse, real dbt build, real publisher) from the margins,
from the previous version and from the months next to it, and fails; the same reader recovers cells of
the same tables published with primary suppression only, so the attack is real (tests/attacker.py)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections import defaultdict

import psycopg
import pytest

from satudata import pipeline
from satudata.publish import release
from satudata.rules import dbt_vars
from satudata.sample import generate
from satudata.transform import dbt_command, publications
from tests.attacker import attack, neighbours_published, recovered
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

DATASETS = {
    "asn_jumlah": "pub_asn_jumlah",
    "non_asn_jumlah": "pub_non_asn_jumlah",
    "distribusi_skp": "pub_distribusi_skp",
}
VALIDATION = {"status": "passed", "checks": 1, "failed_checks": 0, "warnings": []}
T = dbt_vars()["ambang_supresi"]
P = dbt_vars()["ambang_dominasi_persen"]


def read_csv(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def current(settings, dataset_id: str) -> list[dict[str, str]]:
    entry = json.loads((settings.published / "catalog.json").read_text())["datasets"][dataset_id]
    return read_csv(settings.published / entry["path"] / "data.csv")


@pytest.fixture(scope="module")
def run(tmp_path_factory, pg_server):
    """The sample's staff and SKP files loaded by the pipeline's own stages, the three models built by dbt,
    published by the publisher; then the truth: the same models rebuilt with suppression and dominance
    switched off (dbt vars on the command line, this database only)."""
    tmp = tmp_path_factory.mktemp("disclosure")
    generate(tmp / "landing", scale="small", seed=2024)
    db = "t_disclosure_attack"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {db} with (force)")
        conn.execute(f"create database {db}")
    settings = make_settings(tmp, pg_server.rsplit("/", 1)[0] + f"/{db}", tmp / "landing")
    url = settings.require_url()
    run_id = pipeline.start(settings, "disclosure")
    for rel in pipeline.discover_files(settings):
        if rel.split("/")[2] in ("pegawai", "kinerja_pegawai"):
            pipeline.load(settings, pipeline.land(settings, run_id, rel))
    select = " ".join(f"+{m}" for m in DATASETS.values())
    proc = dbt_command(settings, url, "build", "--select", select, "--exclude-resource-type", "test")
    assert proc.returncode == 0, proc.stdout[-3000:]
    pubs = {p["meta"]["dataset_id"]: (table, p) for table, p in publications(settings).items()}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create schema if not exists kept")
        for model in DATASETS.values():
            conn.execute(f"create table kept.{model} as select * from marts.{model}")
    for dataset_id, (table, pub) in pubs.items():
        if dataset_id in DATASETS:
            result = release.publish_dataset(settings, url, table, pub, dict(VALIDATION), {"run_id": run_id})
            assert result["status"] == "published", result
    proc = dbt_command(
        settings,
        url,
        "run",
        "--select",
        " ".join(DATASETS.values()),
        "--vars",
        "{ambang_supresi: 0, ambang_dominasi_persen: 101}",
        "--target-path",
        str(tmp / "dbt_truth"),
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    truth = {}
    with psycopg.connect(url) as conn:
        for dataset_id, model in DATASETS.items():
            dims = pubs[dataset_id][1]["meta"]["primary_key"]
            cur = conn.execute(f"select {', '.join(dims)}, jumlah_pegawai from marts.{model}")
            truth[dataset_id] = {tuple(str(v) for v in r[:-1]): r[-1] for r in cur}
    return settings, url, pubs, truth


def known_totals(truth: dict, meta: dict) -> set:
    """Cells that are by themselves a declared margin group: a group published without breakdown (SEMUA),
    whose total the reader knows already; there is nothing in them to recover."""
    dims = meta["primary_key"]
    out = set()
    for margin in meta["kontrol_pengungkapan"]["margin"]:
        at = [dims.index(c) for c in margin]
        groups = defaultdict(list)
        for k in truth:
            groups[tuple(k[i] for i in at)].append(k)
        out |= {members[0] for members in groups.values() if len(members) == 1}
    return out


def sensitive(dataset_id: str, truth: dict, meta: dict) -> set:
    """Cells 1..T-1, and every cell of a dominated group (one category >= P % of its people), but the
    known totals (a group not broken down)."""
    out = {k for k, n in truth.items() if 0 < n < T}
    dominance = (meta["kontrol_pengungkapan"].get("dominasi") or {}).get("kelompok")
    dims = meta["primary_key"]
    if dominance:
        at = [dims.index(c) for c in dominance]
        groups = defaultdict(list)
        for k in truth:
            groups[tuple(k[i] for i in at)].append(k)
        for members in groups.values():
            total = sum(truth[k] for k in members)
            if total and max(truth[k] for k in members) >= P / 100 * total and len(members) > 1:
                out |= set(members)
    return out - known_totals(truth, meta)


def reader(rows, dataset_id, run, previous=(), previous_truth=None, cells=None):
    _, _, pubs, truth = run
    meta = pubs[dataset_id][1]["meta"]
    spec = meta["kontrol_pengungkapan"]
    return attack(
        rows,
        truth[dataset_id],
        meta["primary_key"],
        spec["waktu"],
        spec["margin"],
        previous=previous,
        previous_truth=previous_truth,
        lower=0.0 if spec.get("grid_lengkap") else 1.0,
        cells=cells,
    )


def test_no_suppressed_cell_is_recovered_from_the_margins_the_versions_or_the_months(run, tmp_path):
    settings, url, pubs, truth = run
    complementary = secrets = 0
    for dataset_id in DATASETS:
        meta = pubs[dataset_id][1]["meta"]
        spec = meta["kontrol_pengungkapan"]
        rows = current(settings, dataset_id)
        secret = sensitive(dataset_id, truth[dataset_id], meta)
        hidden = {tuple(r[c] for c in meta["primary_key"]) for r in rows if r["disupresi"] == "true"}
        assert secret <= hidden, dataset_id  # every small or dominated cell is hidden
        secrets += len(secret)
        # some counts are published (the table says something)
        shown = [r for r in rows if r["disupresi"] != "true" and int(r["jumlah_pegawai"]) > 0]
        # Then the margins recover none of them
        found = recovered(reader(rows, dataset_id, run, cells=secret), T - 1, secret)
        print(
            f"{dataset_id}: {len(rows)} cells, {len(shown)} non-zero counts shown, {len(hidden)} hidden, "
            f"{len(secret)} small or dominated, {len(known_totals(truth[dataset_id], meta))} not broken down, "
            f"{len(found)} recovered"
        )
        assert not found, (dataset_id, sorted(found.items())[:5])
        # and no hidden cell is published for the month before or after
        assert not neighbours_published(rows, meta["primary_key"], spec["waktu"]), dataset_id
        # and the metadata states the method, its parameters and what it hid
        md_path = (
            settings.published
            / json.loads((settings.published / "catalog.json").read_text())["datasets"][dataset_id]["path"]
        )
        md = json.loads((md_path / "metadata.json").read_text())["kontrol_pengungkapan"]
        assert md["diterapkan"] and md["ambang_sel_kecil"] == T
        assert md["jumlah_sel_perlindungan_tidak_terjamin"] == 0, md
        assert md["jumlah_sel_disupresi_primer"] + md["jumlah_sel_disupresi_komplementer"] + md[
            "jumlah_sel_disupresi_konsistensi"
        ] == len(hidden)
        complementary += md["jumlah_sel_disupresi_komplementer"]
        if spec.get("dominasi"):
            assert md["aturan_dominasi"] == {"persen": P, "kelompok": spec["dominasi"]["kelompok"]}

    assert complementary > 0 and secrets > 0

    # Given a publication of the months before the last (v1), then of all months (v2), for each dataset
    two = dataclasses.replace(settings, out=tmp_path / "out")
    attacked = []
    for dataset_id, model in DATASETS.items():
        table, pub = pubs[dataset_id]
        meta = pub["meta"]
        time = meta["kontrol_pengungkapan"]["waktu"][0]
        at = meta["primary_key"].index(time)
        if len({k[at] for k in truth[dataset_id]}) < 2:  # one period (the sample's SKP is 2024 only)
            continue
        attacked.append(dataset_id)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                f"create table kept.{model}_v1 as select * from kept.{model} "
                f"where {time} < (select max({time}) from kept.{model})"
            )
        first = release.publish_dataset(two, url, f"kept.{model}_v1", pub, dict(VALIDATION), {"run_id": "v1"})
        second = release.publish_dataset(two, url, f"kept.{model}", pub, dict(VALIDATION), {"run_id": "v2"})
        assert (first["status"], first["version"], second["status"], second["version"]) == (
            "published",
            "v1",
            "published",
            "v2",
        ), dataset_id
        v1 = read_csv(two.published / dataset_id / "v1" / "data.csv")
        v2 = read_csv(two.published / dataset_id / "v2" / "data.csv")
        last = max(k[at] for k in truth[dataset_id])
        before = {k: n for k, n in truth[dataset_id].items() if k[at] < last}
        assert v1 and len(v2) > len(v1)
        # Then the two versions together, and the months together, recover no small or dominated cell
        secret = sensitive(dataset_id, truth[dataset_id], meta)
        found = recovered(reader(v2, dataset_id, run, previous=v1, previous_truth=before, cells=secret), T - 1, secret)
        print(f"{dataset_id} v1 + v2: {len(v1)} and {len(v2)} cells, {len(found)} recovered")
        assert not found, (dataset_id, sorted(found.items())[:5])
        # and every cell v1 hid stays hidden in v2
        hid = {tuple(r[c] for c in meta["primary_key"]) for r in v1 if r["disupresi"] == "true"}
        assert hid <= {tuple(r[c] for c in meta["primary_key"]) for r in v2 if r["disupresi"] == "true"}
    assert attacked  # the monthly tables


def test_the_reader_recovers_cells_of_primary_suppression_only(run, tmp_path):
    # Given the same tables published with primary suppression only (no margins declared)
    settings, url, pubs, truth = run
    weak = dataclasses.replace(settings, out=tmp_path / "out")
    total = 0
    for dataset_id, model in DATASETS.items():
        table, pub = pubs[dataset_id]
        meta = {k: v for k, v in pub["meta"].items() if k != "kontrol_pengungkapan"}
        release.publish_dataset(weak, url, f"kept.{model}", {**pub, "meta": meta}, dict(VALIDATION), {"run_id": "w"})
        rows = read_csv(weak.published / dataset_id / "v1" / "data.csv")
        # When the reader attacks them with the margins, Then small cells come out exactly
        secret = sensitive(dataset_id, truth[dataset_id], pub["meta"])
        found = recovered(reader(rows, dataset_id, run, cells=secret), T - 1, secret)
        exact = {k for k, (lo, hi) in found.items() if lo == hi == truth[dataset_id][k]}
        print(f"{dataset_id}, primary suppression only: {len(found)} recovered, {len(exact)} exactly")
        total += len(exact)
    assert total > 0
