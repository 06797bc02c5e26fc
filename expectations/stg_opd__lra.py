"""GX suite for staging.stg_opd__lra (what OPDs submitted, current files only): the pemda LRA: its
own arithmetic and the OPD realisasi against it (LRA-001, REC-005).
Built from the rule catalogue (satudata/rules/catalogue.yaml)."""

from satudata.validate.suites import build_suite as _build

TABLE = "staging.stg_opd__lra"


def build_suite(meta=None):
    return _build(TABLE, meta)
