"""GX suite for marts.pub_peringatan_anggaran_kas: from the rule catalogue and the model's dbt meta."""

from satudata.validate.suites import build_suite as _build

TABLE = "marts.pub_peringatan_anggaran_kas"


def build_suite(meta=None):
    return _build(TABLE, meta)
