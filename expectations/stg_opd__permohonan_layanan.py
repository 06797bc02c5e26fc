"""GX suite for staging.stg_opd__permohonan_layanan (what OPDs submitted, current files only):
requests against the OPD's service standard (LAY-005).
Built from the rule catalogue (satudata/rules/catalogue.yaml)."""

from satudata.validate.suites import build_suite as _build

TABLE = "staging.stg_opd__permohonan_layanan"


def build_suite(meta=None):
    return _build(TABLE, meta)
