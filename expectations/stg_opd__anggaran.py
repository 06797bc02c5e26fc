"""GX suite for staging.stg_opd__anggaran (what OPDs submitted, current files only): parent lines
against the sum of their detail lines (ANG-003).
Built from the rule catalogue (satudata/rules/catalogue.yaml)."""

from satudata.validate.suites import build_suite as _build

TABLE = "staging.stg_opd__anggaran"


def build_suite(meta=None):
    return _build(TABLE, meta)
