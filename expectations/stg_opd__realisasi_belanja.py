"""GX suite for what OPDs submitted as SP2D payments (staging.stg_opd__realisasi_belanja): the
cross-file rules the loader cannot check one file at a time."""

from satudata.validate.suites import build_suite as _build

TABLE = "staging.stg_opd__realisasi_belanja"


def build_suite(meta=None):
    return _build(TABLE, meta)
