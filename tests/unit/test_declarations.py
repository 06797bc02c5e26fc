"""One declaration per dataset (issue 18, acceptance 1): satudata/datasets.py says each dataset's columns,
code lists, key, period, produsen, frekuensi and source kinds. Every place that says it again, derived
in Python or written in another language, is compared with it here:

- the landing checks: FMT-003/FMT-004 code lists (row_checks KEY_CODES, ATTRIBUTE_CODES, TAG_CODES) and
  the key rule of a dataset, run on two rows;
- the period of a raw row (rules/completeness.PERIOD_SQL) and the columns it reads;
- the dbt sources of raw (dbt_project/models/staging/<domain>/_sources.yml);
- `accepted_values` of the dbt models against the seed's code list;
- the published keys (`meta.primary_key` = `unique_combination_of_columns`) and the produsen_data of
  the published models;
- the sample registry's expected periods and schedule, and the source kinds the registry accepts.

`disagreements()` takes the declaration and the dbt yml as arguments, so the self-checks below can hand
it a changed copy and show that each kind of disagreement is found. The second test compares every
Python code list with its seed list.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from satudata.config import REPO_ROOT
from satudata.datasets import DATASETS, Dataset
from satudata.extract import registry
from satudata.extract.sample_registry import periods_of, schedule_of
from satudata.rules import catalogue
from satudata.rules import codes as c
from satudata.rules.completeness import PERIOD_SQL
from satudata.rules.row_checks import ATTRIBUTE_CODES, KEY_CODES, ROW_CHECKS, TAG_CODES, RowChecker

DBT = REPO_ROOT / "dbt_project"
# marks of an aggregate, beside the codes: unknown (FMT-004 warning kept the row), all programmes
AGGREGATE_CODES = {"TIDAK_DIKETAHUI", "SEMUA"}
# a model column derived from a coded column under another name -> the list it holds
DERIVED_COLUMNS = {"versi_pagu": "versi", "program_prioritas": "tagging"}
# published groups of a code list (a small category folded so that it does not point at persons, issue 15):
# group -> (the list, the codes it folds, the model that folds them and names each code)
CODE_GROUPS = {"DI_BAWAH_BAIK": ("predikat", ("BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"), "pub_distribusi_skp.sql")}
# columns named like a coded column that hold something else (with why)
NOT_THE_CODE_LIST = {("pub_formasi_lowongan", "eselon"): "the eselon level (I..V, NON_ESELON)"}


def dbt_yml() -> dict[Path, dict]:
    return {
        p.relative_to(DBT): yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        for p in sorted((DBT / "models").rglob("*.yml"))
    }


def _accepted(tests: list) -> list | None:
    for t in tests or []:
        if isinstance(t, dict) and "accepted_values" in t:
            return list(t["accepted_values"]["arguments"]["values"])
    return None


def code_columns(datasets: dict[str, Dataset], check: str) -> dict[str, dict[str, tuple[str, ...]]]:
    return {
        d.name: cols
        for d in datasets.values()
        if (cols := {col.name: c.daftar_kode(col.codes) for col in d.columns if col.codes and col.code_check == check})
    }


def key_rule_disagrees(d: Dataset) -> str | None:
    """Run the dataset's key rule on rows equal on the declared key (a duplicate) and on rows that differ
    in one key column (not a duplicate)."""
    check = ROW_CHECKS[d.key_rule]  # type: ignore[index]
    sample = {"nip": "198001012005011001", "periode": "2024-01", "tahun": 2024, "nomor_permohonan": "P-1"}
    sample |= {"jenis_penghasilan": "GAJI"}
    base = {col.name: sample.get(col.name, f"x-{col.name}") for col in d.columns}
    other = {k: (v if k in d.key else f"{v}-lain") for k, v in base.items()}
    ctx = RowChecker(d.name, "BKPSDM", set(), date(2025, 1, 1))
    check(base, ctx)
    if not check(other, ctx):
        return f"{d.name}: {d.key_rule} does not find two rows equal on the key {d.key} a duplicate"
    for k in d.key:
        ctx = RowChecker(d.name, "BKPSDM", set(), date(2025, 1, 1))
        check(base, ctx)
        changed = dict(base) | {k: "2024-02" if k == "periode" else 2023 if k == "tahun" else f"{base[k]}-lain"}
        if k == "jenis_penghasilan":
            changed[k] = "THR"
        if check(changed, ctx):
            return f"{d.name}: {d.key_rule} finds rows that differ in key column {k} a duplicate"
    return None


def disagreements(datasets: dict[str, Dataset], yml: dict[Path, dict]) -> list[str]:
    """Every place that disagrees with the declaration, one line each."""
    found: list[str] = []
    seed_lists = c.sinonim()

    # code lists: every named list is in the seed; the landing checks use exactly the declared ones
    for d in datasets.values():
        for col in d.columns:
            if col.codes and col.codes not in seed_lists:
                found.append(f"{d.name}.{col.name}: code list {col.codes} is not in the seed kode_sinonim")
            if col.codes and col.codes not in c.NORMALISERS:
                found.append(f"{d.name}.{col.name}: code list {col.codes} has no normaliser in rules/codes.py")
    for check, derived in (("key", KEY_CODES), ("attribute", ATTRIBUTE_CODES), ("tags", TAG_CODES)):
        actual = {ds: {col: allowed for col, (_, allowed) in cols.items()} for ds, cols in derived.items()}
        if actual != code_columns(datasets, check):
            found.append(f"row_checks {check} code lists differ from the declaration: {actual}")

    # keys: declared columns, a row rule of the catalogue for that dataset, and the rule behaves so
    rules = catalogue()
    for d in datasets.values():
        if bool(d.key) != bool(d.key_rule):
            found.append(f"{d.name}: a key needs its rule and a rule its key ({d.key}, {d.key_rule})")
            continue
        if not d.key_rule:
            continue
        if missing := [k for k in d.key if k not in d.column_names]:
            found.append(f"{d.name}: key columns {missing} are not columns of the dataset")
            continue
        rule = rules.get(d.key_rule)
        if rule is None or rule.kind != "row" or not rule.applies_to(d.name):
            found.append(f"{d.name}: key rule {d.key_rule} is not a row rule of the catalogue for it")
        elif problem := key_rule_disagrees(d):
            found.append(problem)
    declared_rules = {d.key_rule for d in datasets.values() if d.key_rule}
    generic = {r for r, fn in ROW_CHECKS.items() if fn.__qualname__ == "one_row_per_key.<locals>.check"}
    if generic != declared_rules:
        found.append(f"key rules registered {sorted(generic)} but declared {sorted(declared_rules)}")

    # periods: completeness reads the declared expression, which reads only the period columns
    if PERIOD_SQL != {name: d.period_sql for name, d in datasets.items()}:
        found.append("rules/completeness.PERIOD_SQL differs from the declared period_sql")
    for d in datasets.values():
        read = {w for w in re.findall(r"\b[a-z_][a-z0-9_]*\b", d.period_sql) if w in d.column_names}
        if read != set(d.period_columns) & read or (d.period_columns and not read):
            found.append(f"{d.name}: period_sql {d.period_sql!r} does not read its period columns {d.period_columns}")
        if not d.period_columns and d.period_sql != "'*'":
            found.append(f"{d.name}: no period columns, so its period is '*', not {d.period_sql!r}")

    # dbt sources of raw: one table per dataset, in the folder of its domain, with its title
    sources: dict[str, tuple[Path, dict]] = {}
    for path, doc in yml.items():
        for source in doc.get("sources", []) or []:
            if source.get("schema") == "raw":
                for table in source.get("tables", []):
                    sources[table["name"]] = (path, table)
    if set(sources) != set(datasets):
        found.append(f"dbt raw sources {sorted(set(sources) ^ set(datasets))} differ from the declared datasets")
    for name, (path, table) in sources.items():
        d = datasets.get(name)
        if d is None:
            continue
        if path.parts[:3] != ("models", "staging", d.domain):
            found.append(f"source raw.{name} is declared in {path}, not under models/staging/{d.domain}/")
        if d.title not in table.get("description", "") or f"`{name}`" not in table.get("description", ""):
            found.append(f"source raw.{name}: its description does not give the title {d.title!r}")

    # accepted_values: staging of a dataset = its code list; elsewhere the codes (or aggregate marks)
    coded = {col.name: col.codes for d in datasets.values() for col in d.columns if col.codes}
    ambiguous = {
        col.name for d in datasets.values() for col in d.columns if col.name in coded and col.codes != coded[col.name]
    }
    for doc in yml.values():
        for model in doc.get("models", []) or []:
            dataset = model["name"].removeprefix("stg_opd__") if model["name"].startswith("stg_opd__") else None
            for col in model.get("columns", []) or []:
                values = _accepted(col.get("data_tests"))
                if values is None:
                    continue
                if dataset in datasets:
                    declared_col = next((x for x in datasets[dataset].columns if x.name == col["name"]), None)
                    if declared_col is not None and declared_col.codes:
                        if tuple(values) != c.daftar_kode(declared_col.codes):
                            found.append(
                                f"{model['name']}.{col['name']}: accepted_values {values} != {declared_col.codes}"
                            )
                        continue
                if (model["name"], col["name"]) in NOT_THE_CODE_LIST:
                    continue
                daftar = DERIVED_COLUMNS.get(col["name"]) or (
                    coded.get(col["name"]) if col["name"] not in ambiguous else None
                )
                groups = {g for g, (lst, _, _) in CODE_GROUPS.items() if lst == daftar}
                if daftar and not set(values) <= set(c.daftar_kode(daftar)) | AGGREGATE_CODES | groups:
                    found.append(f"{model['name']}.{col['name']}: accepted_values {values} not in the list {daftar}")

    # a published group folds codes of its list, each named in the model that folds them
    for group, (daftar, members, model_file) in CODE_GROUPS.items():
        sql_text = next((DBT / "models").rglob(model_file)).read_text(encoding="utf-8")
        for code in members:
            if code not in c.daftar_kode(daftar) or f"'{code}'" not in sql_text:
                found.append(f"group {group}: {code} is not in the list {daftar} or not folded in {model_file}")

    # published models: the key written twice agrees; the produsen of the first source dataset is named
    for doc in yml.values():
        for model in doc.get("models", []) or []:
            meta = (model.get("config") or {}).get("meta") or {}
            if "primary_key" not in meta:
                continue
            combos = [
                t["unique_combination_of_columns"]["arguments"]["combination_of_columns"]
                for t in model.get("data_tests", []) or []
                if isinstance(t, dict) and "unique_combination_of_columns" in t
            ]
            if combos != [meta["primary_key"]]:
                found.append(f"{model['name']}: meta.primary_key {meta['primary_key']} != unique_combination {combos}")
            first = (meta.get("source_datasets") or [None])[0]
            if first is not None:
                if first not in datasets:
                    found.append(f"{model['name']}: source dataset {first} is not declared")
                elif datasets[first].produsen not in str(meta.get("produsen_data")):
                    found.append(
                        f"{model['name']}: produsen_data {meta.get('produsen_data')!r} does not name "
                        f"{datasets[first].produsen!r}, the produsen of {first}"
                    )

    # the sample registry's periods and schedule; the registry's kinds
    expected = {
        "bulanan": ["2024-01..2024-12"],
        "semesteran": ["2024-01", "2024-07"],
        "triwulanan": ["2024-03", "2024-06", "2024-09", "2024-12"],
        "tahunan": ["2024"],
    }
    for d in datasets.values():
        if d.name not in DATASETS:
            continue
        if periods_of(d.name, 2024) != expected[d.frekuensi]:
            found.append(f"{d.name}: the sample registry expects {periods_of(d.name, 2024)}, not {d.frekuensi}")
        if schedule_of(d.name) != ("@yearly" if d.frekuensi == "tahunan" else "@monthly"):
            found.append(f"{d.name}: the sample registry pulls it {schedule_of(d.name)}, not {d.frekuensi}")
        if not set(d.source_kinds) <= set(registry.KINDS):
            found.append(f"{d.name}: source kinds {d.source_kinds} are not all kinds of the registry")
    return found


def test_every_derived_place_agrees_with_the_declaration():
    assert disagreements(DATASETS, dbt_yml()) == []


def _replace_column(datasets: dict[str, Dataset], dataset: str, column: str, **changes: Any) -> None:
    d = datasets[dataset]
    columns = tuple(dataclasses.replace(x, **changes) if x.name == column else x for x in d.columns)
    datasets[dataset] = dataclasses.replace(d, columns=columns)


def _replace(datasets: dict[str, Dataset], dataset: str, **changes: Any) -> None:
    datasets[dataset] = dataclasses.replace(datasets[dataset], **changes)


def _publish_doc(yml: dict[Path, dict]) -> dict:
    return yml[Path("models/marts/publish/_publish__models.yml")]


def _model(yml: dict[Path, dict], name: str) -> dict:
    return next(m for doc in yml.values() for m in doc.get("models", []) or [] if m["name"] == name)


MUTATIONS = {
    # a code list changed in the declaration only: the landing check and staging accepted_values disagree
    "code list": (lambda ds, yml: _replace_column(ds, "anggaran", "versi", codes="jenis_sp2d"), "versi"),
    "code list not seeded": (lambda ds, yml: _replace_column(ds, "kinerja_pegawai", "predikat", codes="skp"), "skp"),
    "code check": (
        lambda ds, yml: _replace_column(ds, "pegawai", "jenis_kelamin", code_check="key"),
        "row_checks key",
    ),
    "key": (lambda ds, yml: _replace(ds, "pembayaran_penghasilan", key=("periode",)), "pembayaran_penghasilan"),
    "key rule": (lambda ds, yml: _replace(ds, "kinerja_pegawai", key_rule="PEG-005"), "kinerja_pegawai"),
    "period": (lambda ds, yml: _replace(ds, "realisasi_belanja", period_sql="tahun::text"), "PERIOD_SQL"),
    "produsen": (lambda ds, yml: _replace(ds, "pegawai", produsen="BPKAD"), "pub_asn_jumlah"),
    "frekuensi": (lambda ds, yml: _replace(ds, "pengaduan", frekuensi="bulanan"), "pengaduan"),
    "a new dataset without a dbt source": (
        lambda ds, yml: ds.__setitem__(
            "anggaran_kas_baru", dataclasses.replace(ds["anggaran_kas"], name="anggaran_kas_baru")
        ),
        "dbt raw sources",
    ),
    "a source in another domain": (lambda ds, yml: _replace(ds, "lra", domain="pelayanan"), "raw.lra"),
    "accepted_values": (
        lambda ds, yml: _model(yml, "stg_opd__realisasi_belanja")["columns"].__setitem__(
            slice(None),
            [
                {**col, "data_tests": [{"accepted_values": {"arguments": {"values": ["LS", "GU"]}}}]}
                if col["name"] == "jenis_sp2d"
                else col
                for col in _model(yml, "stg_opd__realisasi_belanja")["columns"]
            ],
        ),
        "stg_opd__realisasi_belanja.jenis_sp2d",
    ),
    "published key written twice": (
        lambda ds, yml: _model(yml, "pub_capaian_spm")["config"]["meta"]["primary_key"].pop(),
        "pub_capaian_spm",
    ),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_disagreement_is_found(mutation):
    """Self-check: a copy of the declaration (or of the dbt yml) changed in one place disagrees."""
    change, named = MUTATIONS[mutation]
    datasets, yml = dict(DATASETS), copy.deepcopy(dbt_yml())
    _publish_doc(yml)  # the published models are where the test reads them
    change(datasets, yml)
    found = disagreements(datasets, yml)
    assert found, mutation
    assert any(named in line for line in found), found


# every tuple of codes in rules/codes.py -> its list in the seed kode_sinonim; a subset names its list
SUBSETS = {
    "GOLONGAN_PNS": "golongan",
    "GOLONGAN_PPPK": "golongan",
    "JENIS_PENGHASILAN_GAJI": "jenis_penghasilan",
    "JENIS_SP2D_REALISASI": "jenis_sp2d",
    "JENIS_SP2D_UANG_MUKA": "jenis_sp2d",
    "PNS_LIKE": "status_kepegawaian",
    "PPPK_LIKE": "status_kepegawaian",
    "REKENING_SEGMENT_WIDTHS": None,  # widths of the account code's segments, not codes
}


def python_code_lists() -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(c).items()
        if name.isupper() and isinstance(value, (tuple, frozenset)) and not name.startswith("_")
    }


def test_every_python_code_list_is_its_seed_list():
    seeded = {daftar: c.daftar_kode(daftar) for daftar in c.sinonim()}
    lists = python_code_lists()
    assert len(lists) >= 20
    for name, value in lists.items():
        if name in SUBSETS:
            if SUBSETS[name]:
                assert set(value) <= set(seeded[SUBSETS[name]]), name
            continue
        daftar = name.lower()
        assert daftar in seeded, f"codes.{name} has no list {daftar} in the seed kode_sinonim"
        assert value == seeded[daftar], f"codes.{name} != seed list {daftar}"
    # and every list of the seed is a Python list or normalised by its name
    assert set(seeded) <= {n.lower() for n in lists} | set(c.NORMALISERS)


def test_the_seed_check_finds_a_list_written_in_python():
    # Given a Python list that is not the seed's (as VERSI was: a tuple in codes.py beside a CASE in SQL)
    written = ("MURNI", "PERUBAHAN")
    # Then it is not the seed list it claims to be
    assert written != c.daftar_kode("versi") and c.VERSI == c.daftar_kode("versi")
