"""Pure parsing of the values OPDs write: numbers, dates, periods, NIPs, codes and headers.

Text in, typed value out. Nothing here does I/O. Every function accepts the raw value a reader
delivers (``str`` from CSV; ``str``/``int``/``float``/``datetime`` from xlsx) and either returns
the typed value, returns ``None`` for a blank cell (empty, whitespace, ``-``), or raises
:class:`ParseError` carrying the form that was expected, in Bahasa Indonesia and English.

Number rules (``parse_number``), in order:

1. ``Rp``/``Rp.``/``IDR`` in front, a ``,-`` / ``,--`` / ``.-`` tail (``Rp 1.234.567,-``) and a
   trailing ``%`` are dropped. ``(1.234)``, ``Rp. (1.234)`` and a leading ``-`` (or ``−``) make it
   negative.
2. A unit suffix multiplies: ``Rb``/``Ribu`` = 10^3, ``Jt``/``Juta`` = 10^6,
   ``M``/``Miliar``/``Milyar`` = 10^9, ``T``/``Triliun``/``Trilyun`` = 10^12 (any case).
3. Separators. Spaces between digit groups of three are thousands separators (``1 234 567``).
   - both ``.`` and ``,`` present: the one that comes last is the decimal separator and the other
     one groups thousands (``1.234.567,89`` and ``1,234,567.89``);
   - one kind, several times (``1.234.567``): thousands separator;
   - one kind, once: with a ``decimal_hint`` for the column, the hint decides. Without one, it is
     a decimal separator unless exactly three digits follow it and one to three digits, not
     starting with 0, precede it: ``1.5``, ``1,25``, ``0,125``, ``1234.567`` are decimals,
     ``1.234`` and ``12,500`` are thousands (1234, 12500). Rupiah amounts and counts are whole
     far more often than they have three decimals, and ``.`` + 3 digits is the Indonesian
     thousands form; :func:`detect_decimal_separator` settles it per column when it can.
   Thousands groups must be three digits (``1.23.456`` is rejected, not guessed).
4. ``1.5E+10`` (what Excel writes into CSV for long numbers) is read as scientific notation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from satudata.datasets import Dataset
from satudata.rules import Finding, finding

__all__ = [
    "ParseError",
    "HeaderMatch",
    "parse_number",
    "parse_integer",
    "parse_date",
    "parse_periode",
    "normalize_nip",
    "normalize_code",
    "normalize_header",
    "header_key",
    "match_headers",
    "detect_decimal_separator",
    "excel_serial_to_date",
    "date_to_excel_serial",
    "MONTHS",
    "Converter",
    "CODE_COLUMNS",
    "text_value",
    "memo",
    "converters",
    "typed_row",
    "convert_row",
    "period_key",
    "period_keyer",
]


class ParseError(ValueError):
    """A value that cannot be read; ``expected`` says what form was expected (ID / EN)."""

    def __init__(self, expected: str, value: object = None) -> None:
        self.expected = expected
        self.value = value
        shown = repr(value) if value is not None else "nilai"
        super().__init__(f"{shown} tidak dapat dibaca / cannot be read: {expected}")


# ---------------------------------------------------------------------------------------------
# text clean-up shared by everything below

_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u3000"), " ")
_BLANKS = {"", "-", "--", "---", "\u2013", "\u2014", "n/a", "#n/a", "null", "none", "nan"}


def _clean(text: str) -> str:
    """Drop BOM / zero-width characters, turn exotic spaces into plain ones, strip."""
    if text.isascii():  # the common case, and the characters below are all non-ASCII
        return text.strip()
    return text.translate(_INVISIBLE).translate(_SPACES).strip()


def _is_blank(text: str) -> bool:
    return text.lower() in _BLANKS


def _as_text(value: object) -> str | None:
    """``None`` for a blank cell, else the cleaned text."""
    if value is None:
        return None
    text = _clean(value if type(value) is str else str(value))
    if len(text) > 4:  # no blank marker is longer
        return text
    return None if _is_blank(text) else text


# ---------------------------------------------------------------------------------------------
# numbers

EXPECTED_NUMBER = (
    "angka seperti 1.234.567,89 / 1,234,567.89 / Rp 1.234.567 / 2.426,07 M, atau kosong / "
    "a number such as 1.234.567,89 / 1,234,567.89 / Rp 1.234.567 / 2.426,07 M, or blank"
)
EXPECTED_INTEGER = "bilangan bulat seperti 1.234 atau 12 / a whole number such as 1.234 or 12"

_UNITS: dict[str, int] = {
    "rb": 3,
    "ribu": 3,
    "jt": 6,
    "juta": 6,
    "m": 9,
    "miliar": 9,
    "milyar": 9,
    "t": 12,
    "triliun": 12,
    "trilyun": 12,
}
_UNIT_RE = re.compile(
    r"^(?P<body>.*?\d[.,]?)\s*(?P<unit>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\.?$",
    re.IGNORECASE,
)
_CURRENCY_RE = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_NO_CENTS_RE = re.compile(r"[.,]\s*-{1,2}$")  # Rp 1.234.567,-
_SCI_RE = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_SPACE_GROUPS_RE = re.compile(r"^\d{1,3}(?: \d{3})+(?:[.,]\d+)?$")
_DIGITS_SEPS_RE = re.compile(r"[\d.,]+")
_ID_STYLE_RE = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")  # 1.234.567,89: the usual form
_FIRST_NUMBER_RE = re.compile(r"\d[\d.,]*")


def _grouped(digits: str, sep: str) -> bool:
    """``1.234.567`` style: first group 1-3 digits, then groups of exactly 3."""
    parts = digits.split(sep)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def _plain_number(body: str, decimal_hint: str | None, original: object) -> Decimal:
    """Digits with separators (no sign, currency or unit) -> Decimal, by the module rules."""
    if " " in body:
        if not _SPACE_GROUPS_RE.match(body):
            raise ParseError(EXPECTED_NUMBER, original)
        body = body.replace(" ", "")
    if _SCI_RE.match(body):
        return Decimal(body.replace(",", "."))
    if not body or not _DIGITS_SEPS_RE.fullmatch(body) or not any(ch.isdigit() for ch in body):
        raise ParseError(EXPECTED_NUMBER, original)

    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        dec = "." if body.rfind(".") > body.rfind(",") else ","
        thou = "," if dec == "." else "."
        whole, _, frac = body.rpartition(dec)
        if thou in frac or dec in whole or not _grouped(whole, thou) or not frac:
            raise ParseError(EXPECTED_NUMBER, original)
        return Decimal(whole.replace(thou, "") + "." + frac)
    if not dots and not commas:
        return Decimal(body)

    sep = "." if dots else ","
    if body.count(sep) > 1:
        if not _grouped(body, sep):
            raise ParseError(EXPECTED_NUMBER, original)
        return Decimal(body.replace(sep, ""))

    whole, _, frac = body.partition(sep)
    if not frac:  # "1234." -> 1234
        return Decimal(whole)
    if decimal_hint in (".", ","):
        is_decimal = sep == decimal_hint
    else:
        is_decimal = not (len(frac) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"))
    if is_decimal:
        return Decimal((whole or "0") + "." + frac)
    if not _grouped(body, sep):
        raise ParseError(EXPECTED_NUMBER, original)
    return Decimal(body.replace(sep, ""))


def parse_number(value: object, decimal_hint: str | None = None) -> Decimal | None:
    """Read a number as OPDs write it; ``None`` for blank / ``-``.

    ``decimal_hint`` (``","`` or ``"."``) is the decimal separator detected for the whole column
    (see :func:`detect_decimal_separator`); it only matters for a single separator
    (``1.234``). ``int``/``float``/``Decimal`` cells from xlsx are taken as they are.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError(EXPECTED_NUMBER, value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParseError(EXPECTED_NUMBER, value)
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ParseError(EXPECTED_NUMBER, value)
        return value
    if isinstance(value, date | datetime):
        raise ParseError(EXPECTED_NUMBER, value)

    text = _as_text(value)
    if text is None:
        return None
    if text.isdigit() and text.isascii():  # fast paths for the two commonest forms
        return Decimal(text)
    if _ID_STYLE_RE.fullmatch(text) and decimal_hint != ".":
        return Decimal(text.replace(".", "").replace(",", "."))
    s = text
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s[:1] in "-\u2212":
        negative, s = not negative, s[1:].strip()
    elif s[:1] == "+":
        s = s[1:].strip()
    s = _CURRENCY_RE.sub("", s)
    if s[:1] in "-\u2212":  # Rp -1.234
        negative, s = not negative, s[1:].strip()
    elif s.startswith("(") and s.endswith(")"):  # Rp. (1.234): SIPD prints
        negative, s = not negative, s[1:-1].strip()
    s = _NO_CENTS_RE.sub("", s).strip()
    if s.endswith("%"):
        s = s[:-1].strip()

    exponent = 0
    m = _UNIT_RE.match(s)
    if m:
        exponent = _UNITS[m.group("unit").lower()]
        s = m.group("body").strip()
        s = s.rstrip(".,") if s[-1:] in ".," else s

    try:
        number = _plain_number(s, decimal_hint, value)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regexes above
        raise ParseError(EXPECTED_NUMBER, value) from exc
    if exponent or "e" in s.lower():
        number = number.scaleb(exponent)
        if number == number.to_integral_value():  # 2.42607E+12 -> 2426070000000
            number = Decimal(int(number))
    return -number if negative else number


def parse_integer(value: object, decimal_hint: str | None = None) -> int | None:
    """Like :func:`parse_number`, but the value must be whole (``12,0`` is 12; ``1,5`` fails)."""
    try:
        number = parse_number(value, decimal_hint)
    except ParseError as exc:
        raise ParseError(EXPECTED_INTEGER, value) from exc
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ParseError(EXPECTED_INTEGER, value)
    return int(number)


def detect_decimal_separator(values: Iterable[object]) -> str | None:
    """The decimal separator a column uses, from the values that show it unambiguously.

    ``1.234.567`` or ``1.234,5`` show ``,``; ``1,234,567`` or ``1,234.5`` or ``1.5`` show ``.``;
    ``1,5`` shows ``,``. ``1.234`` alone shows nothing. Returns ``None`` when nothing shows it
    or the evidence conflicts (then each value is read by the per-value rules).
    """
    votes = {",": 0, ".": 0}
    for value in values:
        if not isinstance(value, str):
            continue
        text = _as_text(value)
        if text is None:
            continue
        m = _FIRST_NUMBER_RE.search(text)
        if not m:
            continue
        body = m.group(0).rstrip(".,")
        dots, commas = body.count("."), body.count(",")
        if dots and commas:
            votes["." if body.rfind(".") > body.rfind(",") else ","] += 1
        elif dots > 1:
            votes[","] += 1
        elif commas > 1:
            votes["."] += 1
        elif dots == 1 or commas == 1:
            sep = "." if dots else ","
            whole, _, frac = body.partition(sep)
            if len(frac) != 3 or whole.startswith("0") or len(whole) > 3:
                votes[sep] += 1
    if votes[","] and not votes["."]:
        return ","
    if votes["."] and not votes[","]:
        return "."
    return None


# ---------------------------------------------------------------------------------------------
# dates

EXPECTED_DATE = (
    "tanggal seperti 2024-09-30, 30/09/2024, 30-09-2024 atau 30 September 2024 / "
    "a date such as 2024-09-30, 30/09/2024, 30-09-2024 or 30 September 2024"
)
EXPECTED_PERIODE = (
    "periode bulan seperti 2024-09, 09/2024 atau September 2024 / a month such as 2024-09, 09/2024 or September 2024"
)

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "januari jan january",
        "februari feb peb pebruari february",
        "maret mar mrt march",
        "april apr",
        "mei may",
        "juni jun june",
        "juli jul july",
        "agustus agt agu ags agst agust aug august",
        "september sep sept spt",
        "oktober okt oct october",
        "november nov nop nopember",
        "desember des dec december",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_WEEKDAYS = (
    "senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "sen|sel|rab|kam|jum|sab|min|mon|tue|wed|thu|fri|sat|sun"
)
_WEEKDAY_RE = re.compile(rf"^(?:{_WEEKDAYS})\.?\s*,?\s+", re.IGNORECASE)
_TIME_RE = re.compile(
    r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?(?:\s*(?:wib|wita|wit|z|[+-]\d{2}:?\d{2}))?)$", re.IGNORECASE
)
_ISO_RE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_DMY_RE = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$")
_NAMED_DMY_RE = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z']+)\.?[\s\-/.,]*(\d{4}|\d{2})$", re.IGNORECASE)
_NAMED_MDY_RE = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$", re.IGNORECASE)
_SERIAL_RE = re.compile(r"^\d{5}(?:\.\d+)?$")
_YYYYMMDD_RE = re.compile(r"^(19|20)\d{6}$")

# Excel's 1900 date system: serial 1 = 1900-01-01, and Excel believes 1900-02-29 (serial 60)
# existed, so from serial 61 on the day count is offset by one.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


def excel_serial_to_date(serial: float) -> date:
    """Excel 1900-system serial -> date (the fraction, a time of day, is dropped)."""
    if isinstance(serial, bool) or not math.isfinite(serial):
        raise ParseError(EXPECTED_DATE, serial)
    days = math.floor(serial)
    if days < 1 or days > _EXCEL_MAX_SERIAL or days == 60:
        raise ParseError(EXPECTED_DATE, serial)
    if days < 60:
        return date(1899, 12, 31) + timedelta(days=days)
    return _EXCEL_EPOCH + timedelta(days=days)


def date_to_excel_serial(day: date) -> int:
    """date -> Excel 1900-system serial (inverse of :func:`excel_serial_to_date`)."""
    if day < date(1900, 3, 1):
        return (day - date(1899, 12, 31)).days
    return (day - _EXCEL_EPOCH).days


def _year(text: str) -> int:
    """Four digits as is; two digits pivot like strptime's %y (00-68 -> 20xx, 69-99 -> 19xx)."""
    y = int(text)
    if len(text) == 2:
        y += 2000 if y <= 68 else 1900
    return y


def _month(name: str) -> int | None:
    return MONTHS.get(name.lower().rstrip(".").replace("'", ""))


def _make_date(y: int, m: int, d: int, original: object) -> date:
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise ParseError(EXPECTED_DATE, original) from exc


def parse_date(value: object) -> date | None:
    """Read a date; day first always (``01/02/2024`` is 1 February). ``None`` for blank / ``-``.

    Accepted: ``2024-09-30`` (also with ``/`` or ``.``), ``30/09/2024``, ``30-09-2024``,
    ``30.09.2024``, two-digit years (``30/09/24``: 00-68 -> 20xx, 69-99 -> 19xx), month names
    and abbreviations in Indonesian and English (``30 September 2024``, ``30 Sep 2024``,
    ``30-Sep-24``, ``Senin, 30 September 2024``, ``September 30, 2024``), a trailing time
    (``2024-09-30 00:00:00``), ``20240930``, Excel serial numbers (``45565``; as text only with
    five digits), and ``date``/``datetime`` cells.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ParseError(EXPECTED_DATE, value)
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if number == int(number) and _YYYYMMDD_RE.match(str(int(number))):
            return _parse_date_text(str(int(number)), value)
        return excel_serial_to_date(number)
    text = _as_text(value)
    if text is None:
        return None
    return _parse_date_text(text, value)


def _parse_date_text(text: str, original: object) -> date:
    if m := _DMY_RE.match(text):  # fast path: 30/09/2024
        return _make_date(_year(m.group(4)), int(m.group(3)), int(m.group(1)), original)
    s = _WEEKDAY_RE.sub("", text.strip())
    s = _TIME_RE.sub("", s).strip()
    if _SERIAL_RE.match(s):
        return excel_serial_to_date(float(s))
    if _YYYYMMDD_RE.match(s):
        return _make_date(int(s[:4]), int(s[4:6]), int(s[6:]), original)
    if m := _ISO_RE.match(s):
        return _make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)), original)
    if m := _DMY_RE.match(s):
        return _make_date(_year(m.group(4)), int(m.group(3)), int(m.group(1)), original)
    if m := _NAMED_DMY_RE.match(s):
        month = _month(m.group(2))
        if month is None:
            raise ParseError(EXPECTED_DATE, original)
        return _make_date(_year(m.group(3)), month, int(m.group(1)), original)
    if m := _NAMED_MDY_RE.match(s):
        month = _month(m.group(1))
        if month is None:
            raise ParseError(EXPECTED_DATE, original)
        return _make_date(int(m.group(3)), month, int(m.group(2)), original)
    raise ParseError(EXPECTED_DATE, original)


_PERIODE_YM_RE = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")
_PERIODE_MY_RE = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{4})$")
_PERIODE_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})$")
_PERIODE_NAMED_RE = re.compile(r"^([a-z']+)\.?[\s\-/.,']*(\d{4}|\d{2})$", re.IGNORECASE)
_PERIODE_YEAR_NAMED_RE = re.compile(r"^(\d{4})[\s\-/.]+([a-z]+)\.?$", re.IGNORECASE)


def _ym(y: int, m: int, original: object) -> str:
    if not 1 <= m <= 12 or not 1900 <= y <= 2999:
        raise ParseError(EXPECTED_PERIODE, original)
    return f"{y:04d}-{m:02d}"


def parse_periode(value: object) -> str | None:
    """Read a reporting month as ``YYYY-MM``; ``None`` for blank / ``-``.

    Accepted: ``2024-09``, ``2024/9``, ``202409``, ``09/2024``, ``9-2024``, ``September 2024``,
    ``Sep 2024``, ``Sep-24`` and ``Sep 24`` (a two-digit number after a month name is the
    year, as Excel's ``mmm-yy`` format shows it: ``Sep-24`` is September 2024), ``2024
    September``, any full date :func:`parse_date` reads (its month is taken), and
    ``date``/``datetime`` cells or Excel serials.
    """
    if value is None:
        return None
    if isinstance(value, date):  # datetime is a date
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, bool):
        raise ParseError(EXPECTED_PERIODE, value)
    if isinstance(value, int | float | Decimal):
        if float(value) == int(value) and _PERIODE_COMPACT_RE.match(str(int(value))):
            s = str(int(value))
            return _ym(int(s[:4]), int(s[4:]), value)
        try:
            day = parse_date(value)
        except ParseError as exc:
            raise ParseError(EXPECTED_PERIODE, value) from exc
        assert day is not None
        return f"{day.year:04d}-{day.month:02d}"
    text = _as_text(value)
    if text is None:
        return None
    s = re.sub(r"^(?:periode|bulan)\s*:?\s*", "", text, flags=re.IGNORECASE).strip()
    if m := _PERIODE_YM_RE.match(s):
        return _ym(int(m.group(1)), int(m.group(2)), value)
    if m := _PERIODE_MY_RE.match(s):
        return _ym(int(m.group(2)), int(m.group(1)), value)
    if m := _PERIODE_COMPACT_RE.match(s):
        return _ym(int(m.group(1)), int(m.group(2)), value)
    if (m := _PERIODE_NAMED_RE.match(s)) and (month := _month(m.group(1))) is not None:
        return _ym(_year(m.group(2)), month, value)
    if (m := _PERIODE_YEAR_NAMED_RE.match(s)) and (month := _month(m.group(2))) is not None:
        return _ym(int(m.group(1)), month, value)
    try:
        day = _parse_date_text(s, value)
    except ParseError as exc:
        raise ParseError(EXPECTED_PERIODE, value) from exc
    return f"{day.year:04d}-{day.month:02d}"


# ---------------------------------------------------------------------------------------------
# identifiers and codes

EXPECTED_NIP = (
    "NIP berupa angka, ditulis sebagai teks (mis. 19860926 201505 1 001) / "
    "a NIP of digits, stored as text (e.g. 19860926 201505 1 001)"
)
_NIP_SEPARATORS = re.compile(r"[\s.\-'\"`=]")


def normalize_nip(value: object) -> str | None:
    """Digits of a NIP: spaces, dots, dashes, quotes and Excel's ``="..."`` removed.

    ``None`` for blank. A NIP an xlsx stored as a number is taken when exact; one that Excel
    already rounded (a float beyond 2^53, or ``1,98609E+17`` text) is rejected, since the
    last digits are lost. The length (18) is a validation rule, not checked here.
    """
    if value is None:
        return None
    if type(value) is str and value.isdigit() and value.isascii():  # fast path: digits only, as it should be
        return value
    if isinstance(value, bool):
        raise ParseError(EXPECTED_NIP, value)
    if isinstance(value, int):
        return str(value) if value >= 0 else _raise(EXPECTED_NIP, value)
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value) or value < 0 or value > 2**53:
            raise ParseError(EXPECTED_NIP, value)
        return str(int(value))
    text = _as_text(value)
    if text is None:
        return None
    if _SCI_RE.match(text.replace(" ", "")):
        raise ParseError(EXPECTED_NIP, value)
    digits = _NIP_SEPARATORS.sub("", text)
    if not digits:
        return None
    if not digits.isdigit() or not digits.isascii():
        raise ParseError(EXPECTED_NIP, value)
    return digits


def _raise(expected: str, value: object) -> str:
    raise ParseError(expected, value)


_DOTTED_CODE_RE = re.compile(r"^[0-9A-Za-z]+(?:\s*\.\s*[0-9A-Za-z]+)+$")
_DOT_SPACES_RE = re.compile(r"\s*\.\s*")


def normalize_code(value: object, upper: bool = True) -> str | None:
    """A code or category as submitted, tidied: trimmed, inner whitespace collapsed to one
    space, spaces around the dots of a dotted code removed (``1.02 . 02`` -> ``1.02.02``),
    upper-cased (``dinkes`` -> ``DINKES``; pass ``upper=False`` to keep case).
    Whole-number xlsx cells become ``"12"``, not ``"12.0"``. ``None`` for blank.
    """
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).upper()
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    text = _as_text(value)
    if text is None:
        return None
    if not text.isprintable() or "  " in text:
        text = " ".join(text.split())
    if " " in text and "." in text and _DOTTED_CODE_RE.match(text):
        text = _DOT_SPACES_RE.sub(".", text)
    return text.upper() if upper else text


# ---------------------------------------------------------------------------------------------
# headers

_HEADER_SEP_RE = re.compile(r"[\s._]+")


def normalize_header(text: object) -> str:
    """Header text for display and matching: lower-case, BOM and zero-width characters gone,
    runs of spaces / dots / underscores / newlines turned into one space, stripped.
    ``"  N.I.P.\\n"`` -> ``"n i p"``, ``"Tanggal_SP2D"`` -> ``"tanggal sp2d"``.
    """
    if text is None:
        return ""
    s = _clean(str(text)).lower()
    return _HEADER_SEP_RE.sub(" ", s).strip()


@lru_cache(maxsize=1 << 16, typed=True)  # header detection keys every cell of the first rows, several times
def header_key(text: object) -> str:
    """The matching key of a header: :func:`normalize_header` with every space, dash and
    trailing ``:``/``*`` removed, so ``N I P``, ``nip``, ``N.I.P.`` and ``NIP*`` are one key."""
    s = normalize_header(text)
    s = re.sub(r"[\s\-:*]+", "", s)
    return s


def _without_note(key: str) -> str:
    """``pagu(rp)`` -> ``pagu``: a unit or note in brackets after the name."""
    return re.sub(r"\([^)]*\)|\[[^\]]*\]", "", key)


# identity columns beyond their canonical name (dataset.drop_columns): a wider net, because a
# column of NIKs or phone numbers must never land under any spelling
_IDENTITY_ALIASES: dict[str, tuple[str, ...]] = {
    "nama": ("nama lengkap", "nama pemohon", "nama pelapor", "nama responden", "nama wajib pajak"),
    "nik": ("no ktp", "nomor ktp", "nik pemohon", "nomor induk kependudukan", "no nik", "nomor nik"),
    "alamat": ("alamat pemohon", "alamat lengkap", "alamat rumah", "domisili"),
    "telepon": ("telp", "no telp", "no telepon", "nomor telepon", "telpon", "no tlp", "tlp", "telepon/hp"),
    "hp": ("no hp", "nomor hp", "handphone", "no handphone", "whatsapp", "no wa", "nomor wa", "wa"),
    "no_hp": ("no. hp",),
    "email": ("e-mail", "e mail", "surel", "alamat email"),
    "nama_pemohon": ("pemohon",),
}


@dataclass(frozen=True)
class HeaderMatch:
    """How the headers of a source line up with a dataset's canonical columns.

    ``columns`` maps canonical name -> 0-based source column index. ``extra`` are the (non-blank)
    source headers matched to nothing, ``dropped`` the identity columns (``dataset.drop_columns``)
    found, ``missing`` the required canonical columns not found, ``missing_optional`` the others,
    and ``duplicates`` the canonical columns more than one source column matched (the first in
    ``columns``: an exact canonical name beats an alias, then leftmost wins).
    """

    headers: tuple[str, ...]
    columns: dict[str, int]
    extra: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    duplicates: dict[str, list[int]] = field(default_factory=dict)

    @property
    def score(self) -> int:
        """How well this line looks like the dataset's header: matched canonical columns."""
        return len(self.columns)

    @property
    def ok(self) -> bool:
        return not self.missing


def _lookup(dataset: Dataset) -> dict[str, tuple[str, int]]:
    """key -> (canonical column, rank); rank 0 canonical name, 1 alias, 2 identity column."""
    table: dict[str, tuple[str, int]] = {}
    for col in dataset.columns:
        table.setdefault(header_key(col.name), (col.name, 0))
    for col in dataset.columns:
        for alias in col.aliases:
            table.setdefault(header_key(alias), (col.name, 1))
    canonical = set(dataset.column_names)
    for name in dataset.drop_columns:
        if name in canonical:
            continue
        for alias in (name, *_IDENTITY_ALIASES.get(name, ())):
            table.setdefault(header_key(alias), ("!" + name, 2))
    return table


_LOOKUPS: dict[str, dict[str, tuple[str, int]]] = {}


def match_headers(headers: Sequence[object], dataset: Dataset) -> HeaderMatch:
    """Map each canonical column of ``dataset`` to a source column by name or alias.

    Case, spaces, dots, underscores and dashes do not matter (``N I P`` = ``nip`` =
    ``N.I.P.``); a bracketed note is ignored when the name alone matches (``Pagu (Rp)`` ->
    pagu), though an alias that includes it matches first (``Realisasi (Rp)`` -> nilai).
    """
    lookup = _LOOKUPS.get(dataset.name)
    if lookup is None or len(_LOOKUPS) > 64:
        lookup = _LOOKUPS[dataset.name] = _lookup(dataset)

    found: dict[str, list[tuple[int, int]]] = {}
    dropped: dict[str, int] = {}
    extra: list[str] = []
    texts = tuple("" if h is None else str(h) for h in headers)
    for index, text in enumerate(texts):
        key = header_key(text)
        if not key:
            continue
        hit = lookup.get(key)
        if hit is None:
            bare = _without_note(key)
            if bare and bare != key and (hit := lookup.get(bare)) is not None:
                hit = (hit[0], hit[1] + 3)
        if hit is None:
            extra.append(_clean(text))
        elif hit[0].startswith("!"):
            dropped.setdefault(_clean(text), index)
        else:
            found.setdefault(hit[0], []).append((hit[1], index))

    columns: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    for name in dataset.column_names:  # canonical order
        if name not in found:
            continue
        hits = sorted(found[name])
        columns[name] = hits[0][1]
        if len(hits) > 1:
            duplicates[name] = sorted(i for _, i in hits)
    missing = [c.name for c in dataset.columns if c.required and c.name not in columns]
    missing_optional = [c.name for c in dataset.columns if not c.required and c.name not in columns]
    return HeaderMatch(texts, columns, extra, dropped, missing, missing_optional, duplicates)


# ---------------------------------------------------------------------------------------------
# row typing: one row's raw values -> typed values, used by the loader (satudata/load/loader.py and
# its block path satudata/load/blocks.py), `satudata check` and the SQL source's period keys

Converter = Callable[[Any], Any]
CODE_COLUMNS = ("status", "kanal", "versi", "bidang", "jenis_sp2d")  # besides every kode_* column
_UNSEEN = object()


def text_value(value: Any) -> str | None:
    """A text column's value: whitespace collapsed, None when blank."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def memo(parse_value: Converter, limit: int = 100_000) -> Converter:
    """`parse_value` remembering what each text gave, for columns with few distinct values (codes,
    periods, dates, small counts): each distinct text is parsed once per file. Non-text cells (xlsx
    numbers, dates) are parsed every time, since 1, 1.0 and True are equal dict keys. A ParseError
    is not remembered; it is raised again for the next equal text."""
    seen: dict[str, Any] = {}

    def convert(value: Any) -> Any:
        if type(value) is not str:
            return parse_value(value)
        typed = seen.get(value, _UNSEEN)
        if typed is _UNSEEN:
            typed = parse_value(value)
            if len(seen) < limit:
                seen[value] = typed
        return typed

    return convert


def column_parser(column: Any, hints: dict[str, str]) -> Converter:
    """The pure parser of one dataset column (no memo): raw value -> typed value, or ParseError."""
    if column.name == "periode":
        return parse_periode
    if column.name == "nip":
        return normalize_nip
    if column.type == "integer":
        return partial(parse_integer, decimal_hint=hints.get(column.name))
    if column.type == "numeric":
        return partial(parse_number, decimal_hint=hints.get(column.name))
    if column.type == "date":
        return parse_date
    if column.name.startswith("kode_") or column.name in CODE_COLUMNS:
        return normalize_code
    return text_value


def converters(dataset: Dataset, hints: dict[str, str]) -> list[tuple[str, Converter, bool]]:
    """(column, raw value -> typed value, required) for every column, chosen once per file."""
    out = []
    for col in dataset.columns:
        convert = column_parser(col, hints)
        if col.name != "nip" and col.type != "numeric" and convert is not text_value:
            convert = memo(convert)  # few distinct values: periods, counts, dates, codes
        out.append((col.name, convert, col.required))
    return out


def typed_row(convert: list[tuple[str, Converter, bool]], raw: dict[str, Any]) -> tuple[dict[str, Any], list[Finding]]:
    """Canonical raw values -> typed values, with a FMT finding for every value that cannot be read."""
    row: dict[str, Any] = {}
    found: list[Finding] = []
    for name, conv, required in convert:
        value = raw.get(name)
        try:
            typed = conv(value)
        except ParseError as e:
            found.append(finding("FMT-001", name, value, e.expected))
            typed = None
        else:
            if typed is None and required:
                found.append(finding("FMT-002", name, value, name))
        row[name] = typed
    return row, found


def convert_row(dataset: Dataset, raw: dict[str, Any], hints: dict[str, str]) -> tuple[dict[str, Any], list[Finding]]:
    """One row's raw values -> typed values and FMT findings (a loader builds the converters once per file)."""
    return typed_row(converters(dataset, hints), raw)


def period_key(dataset: Dataset, row: dict[str, Any]) -> str:
    """The period a typed row belongs to (the dataset's period columns; a date by its month), as the
    loader keeps it in raw.<dataset>._period and a newer file's periods replace an older one's."""
    parts = []
    for name in dataset.period_columns:
        value = row.get(name)
        parts.append(value.strftime("%Y-%m") if isinstance(value, date) else "" if value is None else str(value))
    return "|".join(parts)


def period_keyer(dataset: Dataset) -> Callable[[dict[str, Any]], str]:
    """`period_key` for the rows of one file, remembering the key of each distinct period value."""
    if not dataset.period_columns:
        return lambda row: ""
    values = itemgetter(*dataset.period_columns)
    keys: dict[Any, str] = {}

    def key(row: dict[str, Any]) -> str:
        value = values(row)
        k = keys.get(value)
        if k is None:
            k = keys[value] = period_key(dataset, row)
        return k

    return key
