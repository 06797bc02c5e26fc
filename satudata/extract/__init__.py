"""Extract: read what OPDs submit (CSV, xlsx) and parse the values they write.

Public API: :func:`read_file` and its :class:`Table` / :class:`SourceRow` / :class:`SourceColumn`
/ :class:`TotalRow` / :class:`FileRejected`, and the pure parsers of :mod:`.parse`.
"""

from satudata.extract.parse import (
    HeaderMatch,
    ParseError,
    detect_decimal_separator,
    match_headers,
    normalize_code,
    normalize_header,
    normalize_nip,
    parse_date,
    parse_integer,
    parse_number,
    parse_periode,
)
from satudata.extract.readers import FileRejected, SourceColumn, SourceRow, Table, TotalRow, read_file

__all__ = [
    "FileRejected",
    "HeaderMatch",
    "ParseError",
    "SourceColumn",
    "SourceRow",
    "Table",
    "TotalRow",
    "detect_decimal_separator",
    "match_headers",
    "normalize_code",
    "normalize_header",
    "normalize_nip",
    "parse_date",
    "parse_integer",
    "parse_number",
    "parse_periode",
    "read_file",
]
