"""The block path's cheap filters (satudata/load/blocks.py) find exactly the values its regexes find: the
first-byte filter runs before a regex and must never drop a value the regex would match."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from satudata.load import blocks

SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
VALUES = [
    "",
    " ",
    "JUMLAH",
    "jumlah total",
    "Total:",
    " TOTAL",
    "\tJumlah",
    "\xa0JUMLAH",
    "Grand Total",
    "SUB TOTAL",
    "Sub-total",
    "SP2D-0001",
    "1.05.01.2.07.0005",
    "2024-01-04",
    "200000000",
    "TOTAL 2024",
    "Jumlah Dinas Pendidikan dan Kebudayaan Kota",  # longer than a label
    "Ümlaut",
    "ÜJUMLAH",
    "\u3000",
    "\u2003JUMLAH",
    "a\\b",
    *SPACES,
    *(c * 3 for c in SPACES),
    *(f"{c}x" for c in SPACES),
]


@pytest.mark.parametrize(
    ("regex", "first"),
    [(blocks._TOTAL_RE, blocks._TOTAL_FIRST), (blocks._BLANK_RE, blocks._BLANK_FIRST)],
    ids=["total", "blank"],
)
def test_the_first_byte_filter_keeps_every_value_the_regex_matches(regex, first):
    col = pa.array(["pad", *VALUES, "pad"], pa.string()).slice(1, len(VALUES))  # an offset, as a block's slice
    expected = pc.match_substring_regex(col, regex).to_pylist()
    assert blocks._matching(col, regex, first).tolist() == expected
    assert any(expected) and not all(expected)  # the values exercise both outcomes


def test_first_bytes_reads_each_values_first_utf8_byte():
    col = pa.array(["x", "", "A", "é", "\u3000"], pa.string()).slice(1)
    assert blocks._first_bytes(col).tolist() == [-1, 65, 0xC3, 0xE3]


def test_canonical_text_is_what_the_regex_says():
    values = [
        *VALUES,
        "SP2D 0001",
        "SP2D  0001",
        "SP2D 0001 ",
        " SP2D",
        "a",
        "~",
        "\x7f",
        "Dinas Pendidikan",
        "Dinas\u00a0Pendidikan",
        "Ümlaut Straße",
        "x\\y",
        "11.07/04.0/000130/UP/1.05.0.00.0.00.02.0000/M/1/2024/0",
    ]
    col = pa.array(["pad", *values], pa.string()).slice(1)
    expected = pc.match_substring_regex(col, blocks._CANONICAL_TEXT_RE).to_pylist()
    assert blocks._canonical(col).tolist() == expected
    assert any(expected) and not all(expected)
