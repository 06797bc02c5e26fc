"""The source registry: strict names, expected periods with deadlines, one entry per slot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from satudata.config import Settings
from satudata.extract.discover import discover
from satudata.extract.registry import (
    HttpLocation,
    RegistryError,
    SqlLocation,
    deadline_of,
    expand_periods,
    load_registry,
    parse_registry,
    registry_path,
)

GOOD = {
    "defaults": {"deadline_day": 15},
    "sources": [
        {
            "id": "metro-bkpsdm-pegawai",
            "kode_pemda": "18.72",
            "opd": "BKPSDM",
            "dataset": "pegawai",
            "kind": "http",
            "location": {
                "url": "https://simpeg.example.go.id/api/v1/pegawai",
                "connection": "simpeg_metro",
                "per_page": 50,
                "params": {"tahun": 2024},
                "fields": {"nip": "nip_baru", "nama": "profil.nama"},
            },
            "expected_periods": ["2024-01..2024-03"],
        },
        {
            "id": "metro-dpmptsp-permohonan",
            "kode_pemda": "18.72",
            "opd": "DPMPTSP",
            "dataset": "permohonan_layanan",
            "kind": "sql",
            "location": {
                "connection": "sicantik_metro",
                "table": "public.permohonan",
                "columns": {"nomor_permohonan": "no_registrasi"},
            },
            "schedule": "0 2 * * *",
            "expected_periods": ["2024-12"],
            "deadline_day": 31,
        },
        {
            "id": "metro-bpkad-lra",
            "kode_pemda": "18.72",
            "opd": "BPKAD",
            "dataset": "lra",
            "kind": "file",
            "expected_periods": ["2023..2024"],
        },
    ],
}


def entry(**changes) -> dict:
    base = {
        "id": "x-1",
        "kode_pemda": "18.72",
        "opd": "DINKES",
        "dataset": "pegawai",
        "kind": "sql",
        "location": {"connection": "c1", "table": "app.pegawai"},
    }
    base.update(changes)
    return base


def errors_of(document) -> list[str]:
    with pytest.raises(RegistryError) as e:
        parse_registry(document)
    return e.value.errors


def test_a_valid_registry_is_read_into_typed_sources():
    # Given a registry with one source of each kind
    # When it is parsed
    reg = parse_registry(GOOD)

    # Then every source is typed, defaults apply, and only http/sql sources are pulled
    http, sql, file = reg.sources
    assert isinstance(http.location, HttpLocation) and http.location.per_page == 50
    assert dict(http.location.fields) == {"nip": "nip_baru", "nama": "profil.nama"}
    assert dict(http.location.params) == {"tahun": "2024"}
    assert isinstance(sql.location, SqlLocation) and sql.location.table == ("public", "permohonan")
    assert sql.location.watermark_column == "updated_at"
    assert file.location == "18.72/BPKAD/lra/*"
    assert http.deadline_day == 15 and sql.deadline_day == 31 and http.schedule == "@daily"
    assert [s.id for s in reg.extractable()] == ["metro-bkpsdm-pegawai", "metro-dpmptsp-permohonan"]
    assert reg.source("metro-bpkad-lra") is file


def test_expected_periods_carry_their_deadline():
    # Given the registry above
    reg = parse_registry(GOOD)

    # When the expected submissions are listed
    expected = reg.expected()

    # Then ranges are expanded and each deadline is the given day of the month after the period
    assert [(e.opd, e.periode, e.deadline) for e in expected] == [
        ("BKPSDM", "2024-01", date(2024, 2, 15)),
        ("BKPSDM", "2024-02", date(2024, 3, 15)),
        ("BKPSDM", "2024-03", date(2024, 4, 15)),
        ("DPMPTSP", "2024-12", date(2025, 1, 31)),  # December -> January of the next year
        ("BPKAD", "2023", date(2024, 1, 15)),  # a yearly period is due in January after it
        ("BPKAD", "2024", date(2025, 1, 15)),
    ]


def test_deadline_day_is_clamped_to_the_month():
    assert deadline_of("2024-01", 31) == date(2024, 2, 29)
    assert deadline_of("2023-01", 30) == date(2023, 2, 28)


def test_period_ranges_and_bad_periods():
    assert expand_periods(["2024-11..2025-02", "2024-12"])[0] == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert expand_periods(["2022..2024"])[0] == ["2022", "2023", "2024"]
    for bad in ("2024-13", "24-01", "2024-01..2024", "2024-05..2024-01", "Januari 2024"):
        assert expand_periods([bad])[1], bad


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"kode_pemda": 18.72}, "kode_pemda"),  # unquoted YAML number
        ({"kode_pemda": "18.72; drop table x"}, "kode_pemda"),
        ({"kode_pemda": "99.99"}, "not in the pemda reference list"),
        ({"opd": "dinkes"}, "opd"),
        ({"opd": "DINKES/../BPKAD"}, "opd"),
        ({"opd": "NOSUCHOPD"}, "not in the OPD reference list"),
        ({"dataset": "pegawai2"}, "dataset"),
        ({"id": "Bad Id"}, "id"),
        ({"id": "a__b"}, "id"),
        ({"id": "x" * 70}, "longer than"),
        ({"kind": "ftp"}, "kind"),
        ({"schedule": "sometimes"}, "schedule"),
        ({"deadline_day": 0}, "deadline_day"),
        ({"expected_periods": "2024-01"}, "expected_periods"),
        ({"surprise": 1}, "unknown key"),
        ({"location": {"connection": "c1", "table": 'app."pegawai"; drop table raw.pegawai; --'}}, "location.table"),
        ({"location": {"connection": "c1", "table": "App.Pegawai"}}, "location.table"),
        ({"location": {"connection": "c-1; x", "table": "app.pegawai"}}, "connection"),
        (
            {"location": {"connection": "c1", "table": "app.pegawai", "watermark_column": "updated_at desc"}},
            "watermark_column",
        ),
        ({"location": {"connection": "c1", "table": "app.pegawai", "columns": {"nip": "nip) or (1=1"}}}, "columns"),
        (
            {"location": {"connection": "c1", "table": "app.pegawai", "columns": {"not_a_column": "x"}}},
            "not a column of the dataset",
        ),
        ({"location": {"connection": "c1", "table": "app.pegawai", "query": "select 1"}}, "unknown key"),
        ({"kind": "http", "location": {"url": "ftp://x.example/a"}}, "location.url"),
        ({"kind": "http", "location": {"url": "https://x.example/a", "pagination": "offset"}}, "pagination"),
        ({"kind": "http", "location": {"url": "https://x.example/a", "per_page": 0}}, "per_page"),
        ({"kind": "http", "location": {"url": "https://x.example/a", "params": {"page": 2}}}, "set by the extractor"),
        ({"kind": "http", "location": {"url": "https://x.example/a", "fields": {"nip": "a b"}}}, "fields"),
        ({"kind": "file", "location": "18.72/BPKAD/pegawai/*"}, "location"),  # another OPD's folder
        ({"kind": "file", "location": "18.72/DINKES/pegawai/../../x"}, "location"),
    ],
)
def test_every_name_is_checked(changes, fragment):
    # Given an entry with one bad value
    # When the registry is parsed
    errors = errors_of({"sources": [entry(**changes)]})

    # Then it is refused, naming the entry and the key
    assert any(fragment in e for e in errors), errors
    assert all(e.startswith("sources[0]") for e in errors)


def test_duplicates_are_refused_and_all_errors_are_listed():
    # Given two entries with the same id and the same slot, and a third with two problems
    doc = [entry(), entry(), entry(id="y-2", opd="bad", dataset="nope")]

    # When parsed
    errors = errors_of(doc)

    # Then every problem is reported at once
    text = "\n".join(errors)
    assert "used more than once" in text and "has two entries" in text
    assert "sources[2] (y-2): opd" in text and "sources[2] (y-2): dataset" in text


def test_registry_file_location_and_yaml_errors(tmp_path: Path):
    # Given a landing folder with a registry.yaml at its top
    landing = tmp_path / "landing"
    (landing / "18.72" / "DINKES" / "pegawai").mkdir(parents=True)
    (landing / "18.72" / "DINKES" / "pegawai" / "p.csv").write_text("nip\n")
    (landing / "registry.yaml").write_text(yaml.safe_dump(GOOD))

    # Then it is found there unless SATUDATA_REGISTRY says otherwise, and it is not a file drop
    assert registry_path(None, landing) == landing / "registry.yaml"
    assert [d.relpath for d in discover(landing)] == ["18.72/DINKES/pegawai/p.csv"]
    assert len(load_registry(registry_path(None, landing)).sources) == 3
    other = tmp_path / "other.yaml"
    other.write_text("sources: [")
    settings = Settings.from_env({"SATUDATA_REGISTRY": str(other), "SATUDATA_LANDING": str(landing)})
    assert registry_path(settings.registry, settings.landing) == other
    with pytest.raises(RegistryError, match="not valid YAML"):
        load_registry(other)
    with pytest.raises(FileNotFoundError):
        registry_path(tmp_path / "missing.yaml", landing)
    assert registry_path(None, tmp_path).__class__ is type(None)
    assert load_registry(None).sources == ()
