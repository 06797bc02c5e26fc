"""GX suite for audit.expected_submission: what the source registry expects, against what was
received (CMP-001 missing, CMP-002 late, CMP-003 partial), from the rule catalogue
(satudata/rules/catalogue.yaml). The table is refilled from the registry at every run
(satudata/rules/completeness.py)."""

from satudata.validate.suites import build_suite as _build

TABLE = "audit.expected_submission"


def build_suite(meta=None):
    return _build(TABLE, meta)
