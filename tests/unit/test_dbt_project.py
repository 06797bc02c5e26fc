"""Static checks of the dbt project (no database): layout, published-model contract, privacy.

Given the files under dbt_project/, when they are read as YAML/SQL, then they follow the
contract in docs/contracts.md and the house style (every model documented, keys tested, only
staging reads sources, no person-level column in a published model).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from satudata.datasets import DATASETS

DBT = Path(__file__).resolve().parents[2] / "dbt_project"

PUBLISHED_IDS = [
    "asn_jumlah",
    "non_asn_jumlah",
    "formasi_lowongan",
    "ketepatan_pembayaran_penghasilan",
    "serapan_anggaran",
    "realisasi_program_prioritas",
    "peringatan_anggaran_kas",
    "pendapatan_target_realisasi",
    "kinerja_layanan",
    "ikm_layanan",
    "ikm_unit",
    "capaian_spm",
    "distribusi_skp",
    "skor_kualitas_data",
]
META_KEYS = {
    "dataset_id",
    "judul",
    "deskripsi",
    "produsen_data",
    "frekuensi",
    "satuan",
    "person_based",
    "primary_key",
    "source_datasets",
    "measure",
}
WILAYAH = ["kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota"]
FORBIDDEN_IN_PUBLISHED = {"nip", "nama", "nik", "tanggal_lahir", "nilai_bruto", "nama_pegawai"}


def _yaml_files() -> list[Path]:
    return sorted((DBT / "models").rglob("*.yml"))


def _model_entries() -> dict[str, dict]:
    entries: dict[str, dict] = {}
    for path in _yaml_files():
        doc = yaml.safe_load(path.read_text()) or {}
        for model in doc.get("models", []) or []:
            entries[model["name"]] = model
    return entries


def _unit_tests() -> list[dict]:
    tests: list[dict] = []
    for path in _yaml_files():
        doc = yaml.safe_load(path.read_text()) or {}
        tests += doc.get("unit_tests", []) or []
    return tests


def _sql_models() -> dict[str, Path]:
    return {p.stem: p for p in (DBT / "models").rglob("*.sql")}


def test_project_and_profile_names():
    project = yaml.safe_load((DBT / "dbt_project.yml").read_text())
    assert project["name"] == "satudata"
    assert project["profile"] == "satudata"
    models = project["models"]["satudata"]
    assert models["staging"]["+schema"] == "staging"
    assert models["staging"]["+materialized"] == "view"
    assert models["intermediate"]["+schema"] == "intermediate"
    assert models["marts"]["+schema"] == "marts"
    assert models["marts"]["+materialized"] == "table"
    assert project["seeds"]["satudata"]["+schema"] == "ref"
    assert project["snapshots"]["satudata"]["+schema"] == "snapshots"


def test_profile_reads_the_environment():
    text = (DBT / "profiles.yml").read_text()
    for var in ("HOST", "PORT", "USER", "PASSWORD", "NAME"):
        assert f"env_var('SATUDATA_DB_{var}'" in text


def test_generate_schema_name_returns_custom_schema_as_is():
    text = (DBT / "macros" / "generate_schema_name.sql").read_text()
    assert "custom_schema_name | trim" in text
    assert "target.schema ~" not in text and "_{{ custom" not in text


def test_every_dataset_has_a_staging_model():
    models = _sql_models()
    for name in DATASETS:
        assert f"stg_opd__{name}" in models, name


def test_every_model_is_documented_with_its_grain():
    entries = _model_entries()
    for name in _sql_models():
        assert name in entries, f"{name} has no YAML entry"
        assert entries[name].get("description", "").strip(), f"{name} has no description"


def test_only_staging_reads_sources():
    for name, path in _sql_models().items():
        if "source(" in path.read_text():
            assert name.startswith("stg_"), f"{name} calls source()"


def test_staging_keeps_only_current_files():
    for name, path in _sql_models().items():
        if name.startswith("stg_opd__"):
            assert "only_current_files()" in path.read_text(), name


@pytest.mark.parametrize("dataset_id", PUBLISHED_IDS)
def test_published_model_contract(dataset_id):
    name = f"pub_{dataset_id}"
    assert (DBT / "models" / "marts" / "publish" / f"{name}.sql").exists()
    entry = _model_entries()[name]
    meta = entry["config"]["meta"]
    assert META_KEYS <= set(meta), META_KEYS - set(meta)
    assert meta["dataset_id"] == dataset_id
    assert isinstance(meta["person_based"], bool)
    assert set(meta["source_datasets"]) <= set(DATASETS)
    columns = [c["name"] for c in entry["columns"]]
    assert columns[:4] == WILAYAH
    assert columns[-2:] == ["satuan", "tahun"]
    assert meta["measure"] in columns
    assert set(meta["primary_key"]) <= set(columns)
    assert not FORBIDDEN_IN_PUBLISHED & set(columns)


@pytest.mark.parametrize("dataset_id", PUBLISHED_IDS)
def test_published_sql_selects_documented_columns_in_order(dataset_id):
    sql = (DBT / "models" / "marts" / "publish" / f"pub_{dataset_id}.sql").read_text()
    final = sql[sql.index("final as (") :]
    select_list = final[: final.index("\n    from ")]
    selected = re.findall(r"(?:as |\.)(\w+),?\s*$", select_list, flags=re.M)
    selected = WILAYAH + [c for c in selected if c not in WILAYAH and c != "nrr_u"]
    # nrr_u1..u9 are rendered by a Jinja loop
    if "nrr_u{{ i }}" in select_list:
        idx = selected.index("sampel_memenuhi") + 1
        selected[idx:idx] = [f"nrr_u{i}" for i in range(1, 10)]
    documented = [c["name"] for c in _model_entries()[f"pub_{dataset_id}"]["columns"]]
    assert selected == documented


def test_person_based_tables_are_suppressed():
    entries = _model_entries()
    for dataset_id in PUBLISHED_IDS:
        entry = entries[f"pub_{dataset_id}"]
        if entry["config"]["meta"]["person_based"]:
            sql = (DBT / "models" / "marts" / "publish" / f"pub_{dataset_id}.sql").read_text()
            assert "suppress_small(" in sql
            assert "disupresi" in [c["name"] for c in entry["columns"]]
            # the totals a reader may know are declared, on columns of the model (docs/disclosure.md)
            spec = entry["config"]["meta"]["kontrol_pengungkapan"]
            names = {c["name"] for c in entry["columns"]}
            assert spec["margin"] and all(set(m) <= names for m in spec["margin"]), dataset_id
            assert set(spec["waktu"]) <= set(entry["config"]["meta"]["primary_key"]), dataset_id


def test_required_unit_tests_exist():
    by_model: dict[str, list[str]] = {}
    for t in _unit_tests():
        by_model.setdefault(t["model"], []).append(t["name"])
    assert len(by_model["int_ikm_layanan_semester"]) >= 2  # band boundary + 0.11 weight
    assert by_model["int_tanggal_hari_kerja"]  # holiday + weekend
    assert by_model["int_permohonan_layanan_dinilai"]  # SLA in working days
    assert by_model["int_realisasi_belanja_kumulatif"]  # cumulative absorption
    assert by_model["int_formasi_batas_usulan"]  # vacancy cap


def test_compound_keys_use_the_generic_test():
    text = (DBT / "tests" / "generic" / "unique_combination_of_columns.sql").read_text()
    assert "test unique_combination_of_columns(model, combination_of_columns)" in text


def test_no_model_reads_the_clock():
    # unchanged inputs must give the same marts on any day (no new published version): dates a model
    # needs come from the data (e.g. tanggal_acuan = the data's cut-off) or from a var
    clock = re.compile(r"\b(current_date|current_timestamp|localtimestamp|localtime|now\(\)|clock_timestamp)\b", re.I)
    for path in sorted((DBT / "models").rglob("*.sql")) + sorted((DBT / "macros").rglob("*.sql")):
        code = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)  # comments may name it
        assert not clock.search(code), path.relative_to(DBT)
