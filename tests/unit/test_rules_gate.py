"""The publication gate's severity semantics and traffic light, without a warehouse: a fatal failure
blocks the datasets it touches only; warnings and incomplete sources publish amber; green only when
everything passed and every source is complete."""

from __future__ import annotations

from satudata.publish.gate import AMBER, GREEN, GREY, RED, SourceNotes, decide
from satudata.validate.gx_runner import RuleOutcome


def pub(dataset_id: str, *sources: str) -> dict:
    return {
        "meta": {"dataset_id": dataset_id, "source_datasets": list(sources)},
        "unique_id": f"model.satudata.pub_{dataset_id}",
    }


PUBS = {
    "marts.pub_serapan_anggaran": pub("serapan_anggaran", "anggaran", "realisasi_belanja"),
    "marts.pub_asn_jumlah": pub("asn_jumlah", "pegawai"),
    "marts.pub_ketepatan_pembayaran_penghasilan": pub("ketepatan_pembayaran_penghasilan", "pembayaran_penghasilan"),
}


def outcome(rule_id: str, table: str, severity: str, success: bool = False, n: int | None = 1) -> RuleOutcome:
    return RuleOutcome(rule_id, table, severity, success, n)


def by_id(decisions):
    return {d.dataset_id: d for d in decisions}


def test_nothing_failed_and_sources_complete_is_green():
    decisions = by_id(decide(PUBS, set(), [outcome("PUB-001", "pub_asn_jumlah", "fatal", success=True)], {}))
    assert {d.status_color for d in decisions.values()} == {GREEN}
    assert all(d.publish for d in decisions.values())


def test_a_fatal_reconciliation_blocks_its_own_dataset_only():
    # Given REC-001 failed on the absorption mart
    decisions = by_id(decide(PUBS, set(), [outcome("REC-001", "pub_serapan_anggaran", "fatal")], {}))

    # Then serapan_anggaran is red with the rule as the reason; the other datasets publish green
    assert decisions["serapan_anggaran"].status_color == RED
    assert decisions["serapan_anggaran"].failing_checks == ["REC-001"]
    assert "REC-001 on pub_serapan_anggaran" in decisions["serapan_anggaran"].reasons[0]
    assert decisions["asn_jumlah"].status_color == GREEN


def test_a_fatal_rule_on_a_submitted_dataset_blocks_every_dataset_derived_from_it():
    # Given BEL-003 (SP2D numbers unique per pemda) failed on the submitted realisasi
    decisions = by_id(decide(PUBS, set(), [outcome("BEL-003", "stg_opd__realisasi_belanja", "fatal")], {}))
    assert not decisions["serapan_anggaran"].publish
    assert decisions["asn_jumlah"].publish and decisions["ketepatan_pembayaran_penghasilan"].publish


def test_a_cross_domain_warning_publishes_amber_with_a_note_on_both_sides():
    # Given REC-004 (GAJI vs 5.1.01.01, a warning) failed
    decisions = by_id(decide(PUBS, set(), [outcome("REC-004", "int_gaji_realisasi_bulanan", "warning", n=3)], {}))

    # Then both datasets it reads publish amber and say why; the unrelated one stays green
    for name in ("serapan_anggaran", "ketepatan_pembayaran_penghasilan"):
        assert decisions[name].publish and decisions[name].status_color == AMBER
        assert decisions[name].warnings == [
            "REC-004 on int_gaji_realisasi_bulanan: Salary (GAJI, THR, 13th salary) paid per OPD-periode differs "
            "from the SP2D on 5.1.01.01 that pay it (beyond the tolerance) (3 failing)"
        ]
    assert decisions["asn_jumlah"].status_color == GREEN


def test_row_rules_and_completeness_do_not_block_but_a_missing_source_is_never_green():
    # Given a quarantining row rule and a completeness rule failed, and pegawai has a missing submission
    outcomes = [outcome("PEG-003", "pegawai", "fatal", n=8), outcome("CMP-001", "expected_submission", "warning")]
    notes = {"pegawai": SourceNotes(incomplete=["pegawai: 1 expected submission(s) not received (e.g. 18.72/X)"])}

    decisions = by_id(decide(PUBS, set(), outcomes, notes))

    # Then nothing is blocked; only the dataset with the incomplete source is amber
    assert all(d.publish for d in decisions.values())
    assert decisions["asn_jumlah"].status_color == AMBER
    assert decisions["asn_jumlah"].incomplete == notes["pegawai"].incomplete
    assert decisions["serapan_anggaran"].status_color == GREEN


def test_a_fatal_rule_on_every_dataset_blocks_every_publication_but_a_pub_rule_only_its_own():
    # Given the row accounting (ACC-001, datasets "*") failed, and PUB-002 ("*" too) failed on one mart
    accounting = by_id(decide(PUBS, set(), [outcome("ACC-001", "source_file", "fatal")], {}))
    empty = by_id(decide(PUBS, set(), [outcome("PUB-002", "pub_asn_jumlah", "fatal")], {}))

    # Then the first blocks every dataset, the second only the empty one
    assert {d.status_color for d in accounting.values()} == {RED}
    assert [d for d, v in empty.items() if not v.publish] == ["asn_jumlah"]


def test_a_model_that_was_not_built_is_blocked():
    decisions = by_id(decide(PUBS, {"model.satudata.pub_asn_jumlah"}, [], {}))
    assert decisions["asn_jumlah"].status_color == RED
    assert "not built" in decisions["asn_jumlah"].reasons[0]


def test_a_dataset_with_nothing_to_publish_is_grey_not_red():
    # Given the pipeline found no data for a dataset never published and took it out of the gate
    [d] = [d for d in decide(PUBS, set(), [], {}) if d.dataset_id == "asn_jumlah"]
    d.publish, d.reasons = False, []
    # Then it is neither blocked (red) nor published
    assert d.status_color == GREY
