"""GX suite for staging.stg_opd__formasi_jabatan (what OPDs submitted, current files only):
vacancy-filling proposals against the cap (FOR-003).
Built from the rule catalogue (satudata/rules/catalogue.yaml)."""

from satudata.validate.suites import build_suite as _build

TABLE = "staging.stg_opd__formasi_jabatan"


def build_suite(meta=None):
    return _build(TABLE, meta)
