"""Deterministic sample data for the Satu Data warehouse (see `generator` for the scales)."""

from satudata.sample.generator import SCALES, generate

__all__ = ["SCALES", "generate"]
