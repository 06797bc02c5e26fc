"""GX suite for intermediate.int_formasi_batas_usulan (built on the staging view of current files):
vacancy-filling proposals of the pre-Pilkada window against the cap (FOR-003).
Built from the rule catalogue (satudata/rules/catalogue.yaml)."""

from satudata.validate.suites import build_suite as _build

TABLE = "intermediate.int_formasi_batas_usulan"


def build_suite(meta=None):
    return _build(TABLE, meta)
