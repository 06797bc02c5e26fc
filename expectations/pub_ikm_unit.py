"""GX suite for marts.pub_ikm_unit: from the rule catalogue and the model's dbt meta."""

from satudata.validate.suites import build_suite as _build

TABLE = "marts.pub_ikm_unit"


def build_suite(meta=None):
    return _build(TABLE, meta)
