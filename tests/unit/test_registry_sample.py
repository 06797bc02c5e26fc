"""The sample's source registry: derived from what the sample generator wrote, valid, complete."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from satudata.extract.discover import discover
from satudata.extract.registry import load_registry
from satudata.extract.sample_registry import write_sample_registry
from satudata.sample import generate


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    landing = tmp_path_factory.mktemp("sample") / "landing"
    result = generate(landing, scale="small", seed=2024, tahun=2024)
    return landing, result


def test_every_generated_slot_has_an_entry_with_its_periods(sample):
    # Given the generated small sample
    landing, result = sample

    # When its registry is written and read back
    path = write_sample_registry(landing, result["tahun"])
    registry = load_registry(path)

    # Then it validates, and there is exactly one file entry per pemda x OPD x dataset folder
    slots = {(d.kode_pemda, d.opd, d.dataset) for d in discover(landing)}
    assert {s.slot for s in registry.sources} == slots
    assert {s.kind for s in registry.sources} == {"file"} and registry.extractable() == []
    assert {s.kode_pemda for s in registry.sources} == {"18.72", "62.71", "53.71", "72.71"}

    # With the cadence the generator writes
    periods = {s.dataset: s.expected_periods for s in registry.sources}
    assert periods["pegawai"] == tuple(f"2024-{m:02d}" for m in range(1, 13))
    assert periods["formasi_jabatan"] == ("2024-01", "2024-07")
    assert periods["pengaduan"] == ("2024-03", "2024-06", "2024-09", "2024-12")
    assert periods["lra"] == periods["anggaran"] == ("2024",)
    expected = registry.expected()
    assert Counter(e.dataset for e in expected)["lra"] == 4  # BPKAD of each city
    januari = next(e for e in expected if e.dataset == "pegawai" and e.periode == "2024-01")
    assert januari.deadline == date(2024, 2, 10)

    # And the registry file is not a submission
    assert "registry.yaml" not in {d.relpath for d in discover(landing)}
    assert path.read_text().startswith("# The source registry")
