"""Reading a published mart and stating times: shared by the release (release.py), the catalogue page
(catalog_page.py), the plausibility checks and the rebuild, which must not import each other in a circle."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import sql

from satudata.warehouse import connect

DEFAULT_TIME_ZONE = "Asia/Jakarta"
BULAN = (
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
)
ZONE_LABEL = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def _columns(conn: Any, table: str) -> list[tuple[str, str]]:
    schema, name = table.split(".")
    return conn.execute(
        "select column_name, data_type from information_schema.columns where table_schema = %s "
        "and table_name = %s order by ordinal_position",
        (schema, name),
    ).fetchall()


def read_table(
    url: str, table: str, order_by: list[str], kabupaten_kota: tuple[str, ...] | None = None
) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    """The whole published table, in a stable order: the primary key, text compared bytewise (C
    collation) so that the same data gives the same file on any server. `kabupaten_kota`: only the rows
    of these kab/kota (BPS codes, column kode_kabupaten_kota): one publisher's rows."""
    with connect(url) as conn:
        cols = _columns(conn, table)
        if not cols:
            raise LookupError(f"{table} does not exist in the warehouse")
        types = dict(cols)
        keys = [c for c in (order_by or [c for c, _ in cols]) if c in types]
        order = (
            sql.SQL(", ").join(
                sql.SQL('{} collate "C"').format(sql.Identifier(c))
                if types[c] in ("text", "character varying")
                else sql.Identifier(c)
                for c in keys
            )
            if keys
            else sql.SQL("1")
        )
        schema, name = table.split(".")
        where, args = sql.SQL(""), ()  # type: tuple[sql.Composable, tuple[Any, ...]]
        if kabupaten_kota is not None:
            if "kode_kabupaten_kota" not in types:
                raise LookupError(f"{table} has no column kode_kabupaten_kota: its rows cannot be given a publisher")
            where, args = sql.SQL(" where kode_kabupaten_kota = any(%s)"), (list(kabupaten_kota),)
        query = sql.SQL("select * from {}{} order by {}").format(sql.Identifier(schema, name), where, order)
        rows = [list(r) for r in conn.execute(query, args)]
    return cols, rows


def local_time(moment: str | datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """An instant as ISO 8601 in the publisher's time zone, with its offset (WIB +07:00, WITA +08:00,
    WIT +09:00): what a reader in that pemda's office reads on the wall clock."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(ZoneInfo(time_zone)).isoformat(timespec="seconds")


def wall_clock(moment: str | datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """An instant as a person reads it in the publisher's office: `2026-12-06 15:20 WIB` (WITA, WIT). The one
    formatter of the times shown on the catalogue page, the publishers' index and the PPID's summary."""
    shown = local_time(moment, time_zone)
    return shown[:16].replace("T", " ") + " " + ZONE_LABEL.get(time_zone, time_zone)


def periode_label(periode: str) -> str:
    """A period as a person says it: 2024-10 -> Oktober 2024, 2024 -> tahun 2024, 2024-S1 -> Semester 1 2024,
    2024-T3 -> Triwulan 3 2024; other labels as they are."""
    text = str(periode)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return f"{BULAN[int(text[5:]) - 1]} {text[:4]}"
    if len(text) == 4 and text.isdigit():
        return f"tahun {text}"
    if found := re.fullmatch(r"(\d{4})-([ST])(\d)", text):  # 2024-S1, 2024-T3
        return f"{'Semester' if found[2] == 'S' else 'Triwulan'} {found[3]} {found[1]}"
    return text
