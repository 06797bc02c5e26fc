"""The alembic revisions of the warehouse: one per SQL file of satudata/warehouse/migrations, in one
linear chain in file order, so adding `NNN_x.sql` needs only a small revision file beside the others."""

from __future__ import annotations

import re
from importlib import resources

from alembic.script import ScriptDirectory

from satudata.warehouse.migrations import sql_files


def chain() -> list:
    script = ScriptDirectory(str(resources.files("satudata.warehouse") / "alembic"))
    # Then there is one head and one base: no branch, no second root
    assert len(script.get_heads()) == 1, script.get_heads()
    assert len(script.get_bases()) == 1, script.get_bases()
    revisions = list(reversed(list(script.walk_revisions())))  # base first
    for rev in revisions:
        assert not isinstance(rev.down_revision, tuple | list), f"{rev.revision} merges {rev.down_revision}"
    return revisions


def test_every_sql_file_has_exactly_one_revision_in_file_order():
    # Given the SQL files and the revisions, base first
    files = sql_files()
    revisions = chain()
    # When each revision names the file its upgrade runs
    named = [rev.module.SQL_FILE for rev in revisions if getattr(rev.module, "SQL_FILE", None)]
    # Then every file is named once, and the chain meets them in the order of their numbers
    assert sorted(named) == files, {"without a revision": sorted(set(files) - set(named)), "named": named}
    assert named == files
    assert len(files) >= 10


def test_each_revision_of_a_file_is_linked_to_the_one_before():
    revisions = chain()
    assert revisions[0].down_revision is None
    for before, rev in zip(revisions, revisions[1:], strict=False):
        assert rev.down_revision == before.revision
    # a revision of a file is named after it (v011_row_history.py runs 011_row_history.sql), id = its number
    for rev in revisions:
        sql_file = getattr(rev.module, "SQL_FILE", None)
        if sql_file:
            number, slug = re.fullmatch(r"(\d{3})_(\w+)\.sql", sql_file).groups()
            assert rev.revision == number
            assert rev.path.endswith(f"v{number}_{slug}.py"), rev.path
