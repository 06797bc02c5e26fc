"""GX suite for staging.stg_opd__anggaran_kas (what OPDs submitted, current files only): the twelve
months against the pagu of the DPA line (KAS-003). Built from the rule catalogue."""

from satudata.validate.suites import build_suite as _build

TABLE = "staging.stg_opd__anggaran_kas"


def build_suite(meta=None):
    return _build(TABLE, meta)
