"""Parsing of numbers, dates, periods, NIPs, codes and headers (satudata.extract.parse)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from satudata.datasets import DATASETS
from satudata.extract.parse import (
    MONTHS,
    ParseError,
    date_to_excel_serial,
    detect_decimal_separator,
    excel_serial_to_date,
    header_key,
    match_headers,
    normalize_code,
    normalize_header,
    normalize_nip,
    parse_date,
    parse_integer,
    parse_number,
    parse_periode,
)

# ---------------------------------------------------------------------------------------------
# numbers: examples


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1234567.89", "1234567.89"),
        ("1234567,89", "1234567.89"),
        ("Rp 1.234.567", "1234567"),
        ("Rp. 1.234.567,-", "1234567"),
        ("Rp1.500.000,00", "1500000"),
        ("IDR 2,500", "2500"),
        ("2.426,07 M", "2426070000000"),
        ("970,40 M", "970400000000"),
        ("1,12 T", "1120000000000"),
        ("1 triliun", "1000000000000"),
        ("2,5 Miliar", "2500000000"),
        ("2,5 milyar", "2500000000"),
        ("850 Jt", "850000000"),
        ("850jt", "850000000"),
        ("1,5 juta", "1500000"),
        ("12,5 Rb", "12500"),
        ("12,5 rb", "12500"),
        ("3 ribu", "3000"),
        ("(1.234)", "-1234"),
        ("-1.234", "-1234"),
        ("(Rp 250.000)", "-250000"),
        ("Rp -1.234", "-1234"),
        ("\u22121.234,5", "-1234.5"),
        ("+12", "12"),
        ("1.234", "1234"),  # dot + 3 digits: thousands
        ("12,500", "12500"),  # comma + 3 digits: thousands too (see module rule)
        ("1.5", "1.5"),
        ("1,25", "1.25"),
        ("0,125", "0.125"),  # leading 0 cannot be a thousands group
        ("1234.567", "1234.567"),  # more than 3 digits before: decimal
        ("1 234 567", "1234567"),
        ("1\u00a0234\u00a0567,5", "1234567.5"),
        ("98,5%", "98.5"),
        ("1.5E+10", "15000000000"),
        ("1,23E+5", "123000"),
        (" 42 ", "42"),
        ("1234.", "1234"),
        ("0", "0"),
    ],
)
def test_parse_number_examples(text: str, expected: str) -> None:
    # Given a number as OPDs write it / When parsed / Then the exact decimal comes back
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "  ", "-", "--", "\u2013", "\u2014", None, "N/A", "#N/A"])
def test_parse_number_blank_is_none(text: str | None) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text", ["abc", "1.23.456", "1,2,3", "1.234,56.7", "12a", "Rp", "1..2", "M", "1.234.56", True, "1 23 456"]
)
def test_parse_number_rejects_with_expected_form(text: object) -> None:
    with pytest.raises(ParseError) as info:
        parse_number(text)
    assert "1.234.567,89" in info.value.expected


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("1.234", ",", "1234"),
        ("1.234", ".", "1.234"),
        ("1,234", ",", "1.234"),
        ("1,234", ".", "1234"),
        ("98.123", ".", "98.123"),
        ("1.234.567", ".", "1234567"),  # several dots can only be thousands
        ("1.234,5", ".", "1234.5"),  # both separators: the form itself decides
    ],
)
def test_parse_number_decimal_hint(text: str, hint: str, expected: str) -> None:
    assert parse_number(text, decimal_hint=hint) == Decimal(expected)


def test_parse_number_takes_xlsx_cells_as_they_are() -> None:
    assert parse_number(1234567) == Decimal(1234567)
    assert parse_number(1234567.89) == Decimal("1234567.89")
    assert parse_number(0.1) == Decimal("0.1")
    assert parse_number(Decimal("5.50")) == Decimal("5.50")
    with pytest.raises(ParseError):
        parse_number(float("nan"))
    with pytest.raises(ParseError):
        parse_number(datetime(2024, 1, 1))


def test_parse_integer() -> None:
    assert parse_integer("1.234") == 1234
    assert parse_integer("12") == 12
    assert parse_integer("12,0") == 12
    assert parse_integer(12.0) == 12
    assert parse_integer("1,5 Jt") == 1500000
    assert parse_integer("-") is None
    with pytest.raises(ParseError) as info:
        parse_integer("1,5")
    assert "bilangan bulat" in info.value.expected
    with pytest.raises(ParseError):
        parse_integer(2.5)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1.234.567", "1.234"], ","),
        (["1.234,5", "1.234"], ","),
        (["1,5"], ","),
        (["1,234,567", "1,234"], "."),
        (["1,234.5"], "."),
        (["1.5"], "."),
        (["1.234", "12.500"], None),  # nothing shows it
        (["1.5", "1,5"], None),  # conflicting
        ([1.5, None, "-"], None),
    ],
)
def test_detect_decimal_separator(values: list[object], expected: str | None) -> None:
    assert detect_decimal_separator(values) == expected


# ---------------------------------------------------------------------------------------------
# numbers: properties

amounts = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2, allow_nan=False)


def _group(whole: int, sep: str) -> str:
    return f"{whole:,}".replace(",", sep)


def fmt(value: Decimal, thousands: str, decimal: str, places: int | None = None) -> str:
    """Format like a spreadsheet would: grouped thousands, decimals only when there are any."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    frac = value - whole
    text = _group(whole, thousands)
    if places is None:
        digits = format(frac.normalize(), "f")[2:] if frac else ""
    else:
        digits = format(frac, f".{places}f")[2:]
    return sign + text + (decimal + digits if digits else "")


@given(amounts)
def test_indonesian_style_round_trips(value: Decimal) -> None:
    assert parse_number(fmt(value, ".", ",")) == value


@given(amounts)
def test_english_style_round_trips(value: Decimal) -> None:
    assert parse_number(fmt(value, ",", ".")) == value


@given(amounts, st.sampled_from(["Rp ", "Rp", "Rp. ", "RP "]), st.booleans())
def test_rupiah_round_trips(value: Decimal, prefix: str, brackets: bool) -> None:
    text = prefix + fmt(abs(value), ".", ",")
    expected = abs(value)
    if brackets and value:
        text, expected = f"({text})", -abs(value)
    assert parse_number(text) == expected


@given(
    st.decimals(min_value=0, max_value=Decimal("999999"), places=2, allow_nan=False),
    st.sampled_from(
        [
            ("Rb", 3),
            ("rb", 3),
            ("Jt", 6),
            ("jt", 6),
            ("M", 9),
            ("Miliar", 9),
            ("T", 12),
            ("Triliun", 12),
            ("triliun", 12),
        ]
    ),
    st.sampled_from([" ", ""]),
    st.sampled_from([(".", ","), (",", ".")]),
)
def test_unit_suffix_round_trips(value: Decimal, unit: tuple[str, int], space: str, style: tuple[str, str]) -> None:
    suffix, exponent = unit
    text = fmt(value, *style) + space + suffix
    assert parse_number(text) == value.scaleb(exponent)


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False),
    st.sampled_from([(".", ","), (",", ".")]),
)
def test_any_decimals_round_trip_with_the_column_hint(value: Decimal, style: tuple[str, str]) -> None:
    thousands, decimal = style
    assert parse_number(fmt(value, thousands, decimal), decimal_hint=decimal) == value


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=3, allow_nan=False))
def test_plain_python_str_round_trips_with_dot_hint(value: Decimal) -> None:
    assert parse_number(str(value), decimal_hint=".") == value


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_float_cells_keep_their_shortest_repr(value: float) -> None:
    assert float(parse_number(value)) == value  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_integers_round_trip(value: int) -> None:
    assert parse_integer(fmt(Decimal(value), ".", ",")) == value
    assert parse_integer(fmt(Decimal(value), ",", ".")) == value
    assert parse_integer(value) == value


# ---------------------------------------------------------------------------------------------
# dates: examples


@pytest.mark.parametrize(
    "text",
    [
        "2024-09-30",
        "2024/09/30",
        "30/09/2024",
        "30-09-2024",
        "30.09.2024",
        "30/9/2024",
        "30/09/24",
        "30 September 2024",
        "30 september 2024",
        "30 SEPTEMBER 2024",
        "30 Sep 2024",
        "30 Sept 2024",
        "30 Sept. 2024",
        "30-Sep-2024",
        "30-Sep-24",
        "30-sep-24",
        "Senin, 30 September 2024",
        "Monday, 30 September 2024",
        "September 30, 2024",
        "Sep 30 2024",
        "2024-09-30 00:00:00",
        "2024-09-30T13:45:00",
        "30/09/2024 13.45 WIB",
        "20240930",
        "45565",
        "45565.5",
        " 30 September 2024 ",
    ],
)
def test_parse_date_examples(text: str) -> None:
    assert parse_date(text) == date(2024, 9, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 Januari 2024", date(2024, 1, 1)),
        ("5 Peb 2024", date(2024, 2, 5)),
        ("5 Pebruari 2024", date(2024, 2, 5)),
        ("29 Februari 2024", date(2024, 2, 29)),
        ("3 Mrt 2024", date(2024, 3, 3)),
        ("1 Mei 2024", date(2024, 5, 1)),
        ("17 Agustus 1945", date(1945, 8, 17)),
        ("17 Agt 2024", date(2024, 8, 17)),
        ("17 Agu 2024", date(2024, 8, 17)),
        ("17 Ags 2024", date(2024, 8, 17)),
        ("1 Okt 2024", date(2024, 10, 1)),
        ("10 Nop 2024", date(2024, 11, 10)),
        ("10 Nopember 2024", date(2024, 11, 10)),
        ("25 Des 2024", date(2024, 12, 25)),
        ("01/02/2024", date(2024, 2, 1)),  # day first, always
        ("01/02/69", date(1969, 2, 1)),
        ("01/02/68", date(2068, 2, 1)),
        ("Jum'at, 6 Desember 2024", date(2024, 12, 6)),
    ],
)
def test_parse_date_month_names_and_day_first(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_parse_date_cells_and_serials() -> None:
    assert parse_date(datetime(2024, 9, 30, 14, 5)) == date(2024, 9, 30)
    assert parse_date(date(2024, 9, 30)) == date(2024, 9, 30)
    assert parse_date(45565) == date(2024, 9, 30)
    assert parse_date(45565.75) == date(2024, 9, 30)
    assert parse_date(20240930) == date(2024, 9, 30)
    assert parse_date(1) == date(1900, 1, 1)
    assert parse_date(59) == date(1900, 2, 28)
    assert parse_date(61) == date(1900, 3, 1)
    with pytest.raises(ParseError):
        parse_date(60)  # Excel's 1900-02-29 never existed


@pytest.mark.parametrize("value", [None, "", " ", "-", "\u2014"])
def test_parse_date_blank_is_none(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "text", ["31/02/2024", "2024-13-01", "30 Smarch 2024", "kemarin", "30/09", "2024", "12:30", True, 0, -5]
)
def test_parse_date_rejects_with_expected_form(text: object) -> None:
    with pytest.raises(ParseError) as info:
        parse_date(text)
    assert "30/09/2024" in info.value.expected


# ---------------------------------------------------------------------------------------------
# dates: properties

ID_FULL = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
ID_ABBR = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des"]
EN_FULL = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
EN_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

dates = st.dates(min_value=date(1900, 3, 1), max_value=date(2199, 12, 31))


def date_forms(d: date) -> list[str]:
    forms = [
        d.isoformat(),
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day}/{d.month}/{d.year}",
        f"{d.day:02d}-{d.month:02d}-{d.year}",
        f"{d.day:02d}.{d.month:02d}.{d.year}",
        f"{d.year}/{d.month:02d}/{d.day:02d}",
        f"{d.isoformat()} 00:00:00",
    ]
    for names in (ID_FULL, ID_ABBR, EN_FULL, EN_ABBR):
        name = names[d.month - 1]
        forms += [
            f"{d.day} {name} {d.year}",
            f"{d.day:02d} {name.upper()} {d.year}",
            f"{d.day} {name.lower()} {d.year}",
            f"{d.day}-{name}-{d.year}",
        ]
    forms.append(f"{EN_FULL[d.month - 1]} {d.day}, {d.year}")
    return forms


@given(dates)
def test_every_date_form_round_trips(d: date) -> None:
    for text in date_forms(d):
        assert parse_date(text) == d, text


@given(st.dates(min_value=date(1969, 1, 1), max_value=date(2068, 12, 31)))
def test_two_digit_years_round_trip_inside_the_pivot(d: date) -> None:
    assert parse_date(f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}") == d
    assert parse_date(f"{d.day}-{EN_ABBR[d.month - 1]}-{d.year % 100:02d}") == d


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_excel_serial_round_trips(d: date) -> None:
    serial = date_to_excel_serial(d)
    assert excel_serial_to_date(serial) == d
    assert parse_date(serial) == d
    assert parse_date(float(serial) + 0.5) == d
    assert parse_date(datetime(d.year, d.month, d.day, 12)) == d


@given(st.dates(min_value=date(1927, 5, 18), max_value=date(2173, 10, 14)))
def test_excel_serial_as_five_digit_text(d: date) -> None:
    serial = date_to_excel_serial(d)
    assume(10000 <= serial <= 99999)
    assert parse_date(str(serial)) == d


def test_excel_serial_anchor_points() -> None:
    assert date_to_excel_serial(date(2024, 9, 30)) == 45565
    assert excel_serial_to_date(45565) == date(2024, 9, 30)
    assert date_to_excel_serial(date(1900, 3, 1)) == 61
    assert excel_serial_to_date(2958465) == date(9999, 12, 31)


def test_month_table_covers_the_spec() -> None:
    for names, month in [
        ("januari jan", 1),
        ("februari feb peb", 2),
        ("maret mar", 3),
        ("april apr", 4),
        ("mei", 5),
        ("juni jun", 6),
        ("juli jul", 7),
        ("agustus agt agu ags aug", 8),
        ("september sep sept", 9),
        ("oktober okt oct", 10),
        ("november nov nop", 11),
        ("desember des dec", 12),
    ]:
        for name in names.split():
            assert MONTHS[name] == month


# ---------------------------------------------------------------------------------------------
# periode


@pytest.mark.parametrize(
    "value",
    [
        "2024-09",
        "2024/09",
        "2024-9",
        "202409",
        "09/2024",
        "9/2024",
        "09-2024",
        "09.2024",
        "September 2024",
        "september 2024",
        "SEPTEMBER 2024",
        "Sep 2024",
        "Sept 2024",
        "Sep-24",
        "sep-24",
        "Sep 24",
        "Sep-2024",
        "2024 September",
        "Periode: September 2024",
        "30/09/2024",
        "2024-09-30",
        "1 September 2024",
        date(2024, 9, 30),
        datetime(2024, 9, 1),
        45565,
        202409,
    ],
)
def test_parse_periode(value: object) -> None:
    assert parse_periode(value) == "2024-09"


@pytest.mark.parametrize("value", ["2024-13", "13/2024", "Smarch 2024", "2024", "9", "kemarin"])
def test_parse_periode_rejects(value: object) -> None:
    with pytest.raises(ParseError) as info:
        parse_periode(value)
    assert "2024-09" in info.value.expected


def test_parse_periode_blank() -> None:
    assert parse_periode("") is None
    assert parse_periode("-") is None
    assert parse_periode(None) is None


@given(st.dates(min_value=date(1969, 1, 1), max_value=date(2068, 12, 31)))
def test_periode_forms_round_trip(d: date) -> None:
    expected = f"{d.year:04d}-{d.month:02d}"
    forms = [
        expected,
        f"{d.month:02d}/{d.year}",
        f"{d.month}-{d.year}",
        f"{d.year}{d.month:02d}",
        f"{ID_FULL[d.month - 1]} {d.year}",
        f"{ID_ABBR[d.month - 1]} {d.year}",
        f"{EN_ABBR[d.month - 1]}-{d.year % 100:02d}",
        f"{EN_FULL[d.month - 1]} {d.year}",
        d,
        date_to_excel_serial(d),
    ]
    for value in forms:
        assert parse_periode(value) == expected, value


# ---------------------------------------------------------------------------------------------
# NIP, codes, headers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19860926 201505 1 001", "198609262015051001"),
        ("19860926.201505.1.001", "198609262015051001"),
        ("19860926-201505-1-001", "198609262015051001"),
        ("'198609262015051001", "198609262015051001"),
        ('="198609262015051001"', "198609262015051001"),
        ('"198609262015051001"', "198609262015051001"),
        ("\u00a019860926\u00a0201505 1 001 ", "198609262015051001"),
        (123456789012345, "123456789012345"),
        (12345.0, "12345"),
        ("", None),
        ("-", None),
        (None, None),
    ],
)
def test_normalize_nip(value: object, expected: str | None) -> None:
    assert normalize_nip(value) == expected


@pytest.mark.parametrize("value", ["1,98609E+17", "1.98609E+17", 1.98609262015051e17, "NIP 1986", "1986x", -5])
def test_normalize_nip_rejects_lost_or_foreign_digits(value: object) -> None:
    with pytest.raises(ParseError) as info:
        normalize_nip(value)
    assert "NIP" in info.value.expected


@given(st.text(alphabet="0123456789", min_size=18, max_size=18), st.sampled_from([" ", ".", "", "-"]))
def test_nip_with_any_grouping_round_trips(digits: str, sep: str) -> None:
    grouped = sep.join([digits[:8], digits[8:14], digits[14], digits[15:]])
    assert normalize_nip(grouped) == digits


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  dinkes ", "DINKES"),
        ("Dinas  Kesehatan\n", "DINAS KESEHATAN"),
        ("1.02 . 02.2.01.0001", "1.02.02.2.01.0001"),
        ("5.1.02.01.01.0024", "5.1.02.01.01.0024"),
        (12, "12"),
        (12.0, "12"),
        ("", None),
        ("-", None),
        (None, None),
    ],
)
def test_normalize_code(value: object, expected: str | None) -> None:
    assert normalize_code(value) == expected


def test_normalize_code_keeps_case_on_request() -> None:
    assert normalize_code("  Persetujuan  Bangunan ", upper=False) == "Persetujuan Bangunan"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\ufeffNIP", "nip"),
        ("  N.I.P.\n", "n i p"),
        ("Tanggal_SP2D", "tanggal sp2d"),
        ("Nama\nPegawai", "nama pegawai"),
        ("Kode\u200b  OPD", "kode opd"),
        ("Realisasi (Rp)", "realisasi (rp)"),
        (None, ""),
        (2024, "2024"),
    ],
)
def test_normalize_header(text: object, expected: str) -> None:
    assert normalize_header(text) == expected


def test_header_key_makes_spacing_insignificant() -> None:
    assert header_key("N I P") == header_key("nip") == header_key("N.I.P.") == header_key("NIP*") == "nip"


def test_match_headers_by_name_and_alias() -> None:
    # Given headers in odd case, spacing and aliases
    headers = [
        "No",
        "N I P",
        "Nama Pegawai",
        "L/P",
        "Tgl. Lahir",
        "STATUS",
        "Gol/Ruang",
        "Jenis_Jabatan",
        "Jabatan",
        "Pendidikan Terakhir",
        "Periode",
        "Keterangan",
        "",
    ]
    # When matched against pegawai
    match = match_headers(headers, DATASETS["pegawai"])
    # Then every column is found where it is, extras are named, nothing required is missing
    assert match.columns == {
        "nip": 1,
        "nama": 2,
        "jenis_kelamin": 3,
        "tanggal_lahir": 4,
        "status_kepegawaian": 5,
        "golongan": 6,
        "jenis_jabatan": 7,
        "nama_jabatan": 8,
        "pendidikan": 9,
        "periode": 10,
    }
    assert match.extra == ["No", "Keterangan"]
    assert match.missing == []
    assert match.missing_optional == ["jenis_non_asn", "eselon", "kode_opd"]
    assert match.ok


def test_match_headers_aliases_from_the_spec() -> None:
    assert match_headers(["Pagu Anggaran"], DATASETS["anggaran"]).columns == {"pagu": 0}
    assert match_headers(["Realisasi (Rp)"], DATASETS["realisasi_belanja"]).columns == {"nilai": 0}
    assert match_headers(["Pagu (Rp)"], DATASETS["anggaran"]).columns == {"pagu": 0}
    assert match_headers(["N.I.P."], DATASETS["kinerja_pegawai"]).columns == {"nip": 0}


def test_match_headers_missing_and_duplicates() -> None:
    match = match_headers(["Realisasi", "Nilai", "Tahun", "Nilai SP2D"], DATASETS["realisasi_belanja"])
    # the exact canonical name wins over aliases; all candidates are reported
    assert match.columns["nilai"] == 1
    assert match.duplicates == {"nilai": [0, 1, 3]}
    assert match.missing == ["nomor_sp2d", "tanggal_sp2d", "kode_sub_kegiatan", "kode_rekening"]
    assert not match.ok


def test_match_headers_identity_columns_are_dropped_not_extra() -> None:
    headers = [
        "Nomor Permohonan",
        "Nama",
        "NIK",
        "Alamat",
        "Telepon",
        "No HP",
        "E-mail",
        "Kode Layanan",
        "Tanggal Masuk",
        "Status",
    ]
    match = match_headers(headers, DATASETS["permohonan_layanan"])
    assert list(match.dropped) == ["Nama", "NIK", "Alamat", "Telepon", "No HP", "E-mail"]
    assert match.extra == []
    assert set(match.columns) == {"nomor_permohonan", "kode_layanan", "tanggal_masuk", "status"}


def test_nama_is_a_column_of_pegawai_not_an_identity_drop() -> None:
    match = match_headers(["Nama", "NIP"], DATASETS["pegawai"])
    assert match.columns == {"nip": 1, "nama": 0}
    assert match.dropped == {}


header_variants = st.sampled_from([str.lower, str.upper, str.title])
separators = st.sampled_from([" ", "_", ".", "  ", "\n"])


@given(st.sampled_from(sorted(DATASETS)), st.data())
def test_canonical_names_match_in_any_spelling(name: str, data: st.DataObject) -> None:
    dataset = DATASETS[name]
    column = data.draw(st.sampled_from(dataset.column_names))
    case = data.draw(header_variants)
    sep = data.draw(separators)
    header = " " + case(column.replace("_", sep)) + " "
    assert match_headers([header], dataset).columns == {column: 0}


def test_parse_error_message_is_bilingual() -> None:
    with pytest.raises(ParseError) as info:
        parse_date("kemarin")
    assert "tidak dapat dibaca / cannot be read" in str(info.value)
    assert info.value.value == "kemarin"


def test_dates_far_apart_still_day_first() -> None:
    d = date(2024, 1, 2)
    for k in range(0, 400, 37):
        day = d + timedelta(days=k)
        assert parse_date(day.strftime("%d/%m/%Y")) == day
