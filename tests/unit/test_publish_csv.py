"""CSV safety of the published files: OWASP's CSV-injection guidance, numbers never changed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satudata.publish.release import FORMULA_START, csv_field, render_csv, safe_cell

TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"]


@pytest.mark.parametrize("start", TRIGGERS)
def test_text_starting_a_formula_gets_a_leading_quote(start):
    # Given text that a spreadsheet would run as a formula (OWASP: = + - @ tab CR; also LF, full-width)
    value = start + 'HYPERLINK("http://x.example")'

    # When it is written as a cell, Then a single quote makes it text
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=1+2";=1+2', '"\'=1+2"";=1+2"'),  # OWASP's two examples, escaped exactly as the page shows
        ("=1+2'\" ;,=1+2", '"\'=1+2\'"" ;,=1+2"'),
        ("a;=cmd|' /C calc'!A0", "\"a;=cmd|' /C calc'!A0\""),  # `;` (Indonesian Excel's separator) is quoted
        ("Dinas Kesehatan", "Dinas Kesehatan"),
        ("", ""),
    ],
)
def test_cells_are_quoted_as_owasp_shows(value, cell):
    assert csv_field(safe_cell(value)) == cell


@pytest.mark.parametrize(
    "value, cell",
    [
        (-5, "-5"),
        (Decimal("-12500.50"), "-12500.50"),
        (-0.5, "-0.5"),
        (Decimal("1E+3"), "1000"),
        (1e-7, "0.0000001"),
        (0, "0"),
        (Decimal("-0"), "0"),
        (float("nan"), "NaN"),
        (float("-inf"), "-INF"),
        ("-12.5", "-12.5"),
        ("+62", "+62"),
        ("-1e3", "-1e3"),  # plain numbers written as text stay numbers
        ("-", "'-"),
        ("-1+2", "'-1+2"),
        ("+62 812 1234", "'+62 812 1234"),
        ("@SUM(A1)", "'@SUM(A1)"),
        (True, "true"),
        (None, ""),
        (date(2024, 9, 30), "2024-09-30"),
        (datetime(2024, 9, 30, 7, 0, tzinfo=UTC), "2024-09-30T07:00:00+00:00"),
    ],
)
def test_numbers_dates_and_text(value, cell):
    assert safe_cell(value) == cell


@given(st.one_of(st.integers(), st.decimals(allow_nan=False, allow_infinity=False, places=2)))
def test_numbers_round_trip_unchanged(value):
    # Given any integer or 2-decimal amount, negative ones included
    # When it is written, Then it reads back as the same number, never prefixed
    cell = safe_cell(value)
    assert not cell.startswith("'")
    assert Decimal(cell) == value


@given(st.text(max_size=40))
def test_no_text_cell_can_start_a_formula(text):
    cell = safe_cell(text)
    if cell.startswith(FORMULA_START):
        float(cell)  # only plain numbers may start with + or -
    # and a whole line reads back, cell for cell
    data = render_csv([("a", "text"), ("b", "text")], [[text, "x;y"]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows == [["a", "b"], [cell, "x;y"]]


def test_render_csv_is_utf8_comma_header_crlf():
    data = render_csv(
        [("nama_opd", "text"), ("nilai", "numeric"), ("tanggal", "date")],
        [["Dinas Pendidikan dan Kebudayaan", Decimal("1234567.89"), date(2024, 1, 31)]],
    )
    assert data == b"nama_opd,nilai,tanggal\r\nDinas Pendidikan dan Kebudayaan,1234567.89,2024-01-31\r\n"


def test_coverage_keeps_each_wilayah_code_with_its_name():
    from satudata.publish.release import coverage

    # Given rows of two cities whose names sort in another order than their codes
    cols = [
        ("kode_kabupaten_kota", "text"),
        ("nama_kabupaten_kota", "text"),
        ("tahun", "integer"),
        ("bulan", "integer"),
    ]
    rows = [["5371", "KOTA KUPANG", 2024, 3], ["1872", "KOTA METRO", 2024, 1], ["1872", "KOTA METRO", 2024, 2]]

    # Then code and name stay paired, and the period runs from the first to the last day covered
    assert coverage(cols, rows) == {
        "kode_wilayah": ["1872", "5371"],
        "cakupan": ["KOTA METRO", "KOTA KUPANG"],
        "periode": [2024],
        "periode_awal": "2024-01-01",
        "periode_akhir": "2024-03-31",
    }
