"""GX suite for audit.source_file: row accounting of every current file (ACC-001), from the rule
catalogue (satudata/rules/catalogue.yaml)."""

from satudata.validate.suites import build_suite as _build

TABLE = "audit.source_file"


def build_suite(meta=None):
    return _build(TABLE, meta)
