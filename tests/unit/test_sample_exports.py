"""The sample writes a share of each pemda's files in the layouts of real exports (issue #13): every export
profile has a sample writer, each such file is read as its profile, and what the profile yields equals the
file's canonical twin (the rows tests/integration/sample_files.py reads), row numbers and set-aside rows too."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from satudata.datasets import DATASETS
from satudata.extract.profiles import FileContext, load_profiles
from satudata.extract.readers import read_file
from satudata.load.loader import _typed, converters
from satudata.sample import generate
from satudata.sample.exports import TWIN_DIR, layouts
from satudata.sample.layanan import LAYANAN


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("exports") / "landing"
    generate(landing, scale="small", seed=2024)
    return landing


def twins(landing: Path) -> list[tuple[Path, Path]]:
    """(landing file, its twin) for every file the sample wrote in an export layout."""
    root = landing.parent / TWIN_DIR
    return sorted((landing / t.relative_to(root).as_posix().removesuffix(".csv"), t) for t in root.rglob("*.csv"))


def test_every_export_profile_has_a_sample_writer_and_is_written_at_small_scale(sample):
    profiles = {p.id for p in load_profiles()}
    assert profiles <= set(layouts()), f"profiles the sample never writes: {sorted(profiles - set(layouts()))}"
    written = Counter()
    for path, _ in twins(sample):
        table = read_file(path, DATASETS[path.parts[-2]], FileContext(file_name=path.name))
        assert table.profile is not None, path
        written[table.profile.id] += 1
        table.close()
    assert set(written) == profiles, written
    # a share of each pemda's files, not all: every pemda has some, and most files stay standard
    per_pemda = Counter(p.relative_to(sample).parts[0] for p, _ in twins(sample))
    assert set(per_pemda) == {"18.72", "53.71", "62.71", "72.71"}
    assert sum(per_pemda.values()) < len([p for p in sample.rglob("*") if p.is_file()]) / 10


def test_nothing_of_the_twins_lies_where_discovery_looks(sample):
    assert not [p for p in sample.rglob("*") if TWIN_DIR in p.parts]
    assert all(p.exists() for p, _ in twins(sample))


def _read_twin(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _names(kode_opd_folder: str) -> dict[str, str]:
    return {s[1]: s[0] for s in LAYANAN.get(kode_opd_folder, ())}


def test_each_export_yields_its_twin_rows_after_typing(sample):
    checked = Counter()
    for path, twin in twins(sample):
        dataset = DATASETS[path.parts[-2]]
        ctx = FileContext(file_name=path.name, kode_pemda=path.parts[-4], opd=path.parts[-3])
        ctx.state["jenis_layanan"] = _names(path.parts[-3])  # what the loader gives from raw.jenis_layanan
        table = read_file(path, dataset, ctx)
        convert = converters(dataset, table.decimal_hints)
        got = []
        for r in table.rows:
            got.append((r.row_number, bool(r.set_aside), None if r.set_aside else _typed(convert, r.values)[0]))
        got += [(t.row_number, True, None) for t in table.total_rows]
        expected = []
        for line in _read_twin(twin):
            number, aside = int(line.pop("_baris")), bool(line.pop("_disisihkan"))
            values = {c: (v if v != "" else None) for c, v in line.items()}
            expected.append((number, aside, None if aside else _typed(convert, values)[0]))
        assert sorted(got, key=lambda x: x[0]) == expected, path
        checked[table.profile.id] += len([e for e in expected if not e[1]])
    assert all(n > 0 for n in checked.values()) and len(checked) == len(layouts()), checked


def test_planted_errors_survive_the_export_layouts(sample):
    """Rows the generator spoiled on purpose stay rows the checks catch: a nilai of 0 or below in the SIPD
    layouts, an answer outside 1-4 in the e-SKM exports (a letter e / a label of no unsur: not a number)."""
    spoiled = Counter()
    for _, twin in twins(sample):
        for line in _read_twin(twin):
            if line["_disisihkan"]:
                continue
            if "nilai" in line and float(line["nilai"]) <= 0:
                spoiled["nilai"] += 1
            if "u1" in line and any(not line[f"u{i}"].isdigit() for i in range(1, 10)):
                spoiled["jawaban"] += 1
    assert spoiled["nilai"] + spoiled["jawaban"] > 0, spoiled
