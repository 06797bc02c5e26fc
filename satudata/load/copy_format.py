"""PostgreSQL COPY text format of the loader's typed values, shared by the row path (load/loader.py) and
the block path (load/blocks.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any


# COPY text format: \N is null; backslash, tab, newline and carriage return are escaped
def copy_text(value: str | None) -> str:
    if value is None:
        return "\\N"
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _copy_str(value: int | Decimal | None) -> str:
    return "\\N" if value is None else str(value)


def _copy_date(value: date | None) -> str:
    return "\\N" if value is None else value.isoformat()


COPY_FORMAT: dict[str, Callable[[Any], str]] = {
    "text": copy_text,
    "integer": _copy_str,
    "numeric": _copy_str,
    "date": _copy_date,
}
