"""GX suite for staging.stg_opd__pembayaran_penghasilan (what OPDs submitted, current files only):
GAJI paid against realisasi on 5.1.01.01 (REC-004).
Built from the rule catalogue (satudata/rules/catalogue.yaml)."""

from satudata.validate.suites import build_suite as _build

TABLE = "staging.stg_opd__pembayaran_penghasilan"


def build_suite(meta=None):
    return _build(TABLE, meta)
