"""GX suite for intermediate.int_gaji_realisasi_bulanan (built on the staging views of current
files): salary (GAJI, THR, GAJI_13) paid against the SP2D on 5.1.01.01 that pay it (REC-004).
Built from the rule catalogue (satudata/rules/catalogue.yaml)."""

from satudata.validate.suites import build_suite as _build

TABLE = "intermediate.int_gaji_realisasi_bulanan"


def build_suite(meta=None):
    return _build(TABLE, meta)
