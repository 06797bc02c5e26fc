"""GX suite for staging.stg_opd__kinerja_pegawai (what OPDs submitted, current files only): the SKP
predikat distribution per OPD (SKP-002).
Built from the rule catalogue (satudata/rules/catalogue.yaml)."""

from satudata.validate.suites import build_suite as _build

TABLE = "staging.stg_opd__kinerja_pegawai"


def build_suite(meta=None):
    return _build(TABLE, meta)
