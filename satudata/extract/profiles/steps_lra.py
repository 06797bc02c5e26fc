"""Profile steps of the pemda LRA (profile djpk_lra): the DJPK portal shows the account hierarchy by
leading spaces only, amounts with a unit suffix (`2.426,07 M`, `850,00 J`), no tahun column (the file
is named `LRA 2023.csv`), and a scrape may give a line twice."""

from __future__ import annotations

import re
from typing import Any

from satudata.extract.profiles import FileContext, blank, find_in_texts, step
from satudata.extract.readers import FileRejected

REPEATED = (
    "baris berulang: akun, tingkat dan nilai sama dengan baris sebelumnya / "
    "repeated row: same account, level and values as an earlier row"
)


@step("level_from_leading_spaces")
def level_from_leading_spaces(
    row: dict[str, Any], ctx: FileContext, column: str = "akun", target: str = "level"
) -> None:
    """`target` (0 = top) from the leading spaces of `column`, when the file has no level: a line
    indented more than the one above is its child; one indented as an earlier line is that line's
    sibling. Any indent width works (2 or 4 spaces, tabs, no-break spaces)."""
    text = row.get(column)
    if not isinstance(text, str) or not text.strip() or not blank(row.get(target)):
        return None
    width = len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip())
    stack: list[int] = ctx.state.setdefault("indent_stack", [])  # indents of the open ancestors
    path: list[str] = ctx.state.setdefault("akun_path", [])  # their names (set_aside_repeated_line)
    while stack and stack[-1] >= width:
        stack.pop()
        path.pop()
    row[target] = len(stack)
    stack.append(width)
    path.append(" ".join(text.split()))
    return None


_JUTA = re.compile(r"(\d)\s*J\s*$", re.IGNORECASE)


@step("amount_suffix_juta")
def amount_suffix_juta(row: dict[str, Any], ctx: FileContext, columns: list[str]) -> None:
    """DJPK writes juta as `J` (`850,00 J`); the number parser reads `Jt`."""
    for name in columns:
        value = row.get(name)
        if isinstance(value, str):
            row[name] = _JUTA.sub(r"\1 Jt", value.strip())
    return None


@step("set_aside_repeated_line")
def set_aside_repeated_line(row: dict[str, Any], ctx: FileContext, columns: list[str]) -> str | None:
    """Not a line when every one of `columns` (akun as written, level, amounts) and the line's parents
    (read by level_from_leading_spaces) equal an earlier row's: a scrape that gives a line twice. The
    same name at another level (5.3 BELANJA TIDAK TERDUGA over 5.3.01 Belanja Tidak Terduga), or under
    another parent, is a line."""
    parents = tuple(ctx.state.get("akun_path", ())[:-1])
    key = (parents, *(" ".join(str(row.get(c)).split()) if row.get(c) is not None else None for c in columns))
    seen: set[tuple] = ctx.state.setdefault("lines_seen", set())
    if key in seen:
        return REPEATED
    seen.add(key)
    return None


@step("tahun_from_file_name")
def tahun_from_file_name(row: dict[str, Any], ctx: FileContext, column: str = "tahun") -> None:
    """`tahun` from the file name (`LRA 2023.csv`) or the title rows when the file has no tahun column;
    the file is refused when neither says it."""
    if not blank(row.get(column)):
        return None
    if "tahun_from_file_name" not in ctx.state:
        ctx.state["tahun_from_file_name"] = find_in_texts([*ctx.title_lines, ctx.file_name.rsplit(".", 1)[0]], "tahun")
    tahun = ctx.state["tahun_from_file_name"]
    if tahun is None:
        raise FileRejected(
            f"{ctx.file_name}: no tahun column, and no year in the file name or title (name it like "
            f"'LRA 2023.csv') / tidak ada kolom tahun, dan tidak ada tahun di nama berkas atau judul "
            f"(beri nama seperti 'LRA 2023.csv')",
            "missing_columns",
        )
    row[column] = tahun
    return None
