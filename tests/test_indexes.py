"""No index that a wider one already serves: every write pays for each index, and the planner weighs each one.

An index is redundant when its columns lead another index of its table (a lookup by `salon_id` reads
`(salon_id, created_at)` as well). Unique indexes are constraints, and partial or operator-class indexes answer
other questions, so those are kept whatever their columns. Checked on the migrated schema of the backend under test.
"""
import re

_OPCLASS_OR_PARTIAL = re.compile(r"_ops\b|\bWHERE\b|\bUSING (?!btree)", re.IGNORECASE)


def _plain(index):
    """An ordinary B-tree index over plain columns (no expression, operator class or WHERE)."""
    return not _OPCLASS_OR_PARTIAL.search(index.sql or "") and all(re.fullmatch(r"\w+", c) for c in index.columns)


def redundant_indexes(database):
    """[(redundant index, the wider index whose leading columns it repeats)] of every table."""
    found = []
    for table in database.get_tables():
        indexes = [index for index in database.get_indexes(table) if _plain(index)]
        for narrow in indexes:
            if narrow.unique:
                continue
            wider = [wide.name for wide in indexes if len(wide.columns) > len(narrow.columns)
                     and wide.columns[:len(narrow.columns)] == narrow.columns]
            if wider:
                found.append((narrow.name, wider[0]))
    return sorted(found)


def test_no_index_repeats_the_leading_columns_of_another(database):
    assert redundant_indexes(database) == []


def test_the_check_finds_a_redundant_index(database):
    database.execute_sql('CREATE INDEX "test_tag_salon_only" ON "tag" ("salon_id")')
    try:
        assert ("test_tag_salon_only", "tag_salon_id_name") in redundant_indexes(database)
    finally:
        database.execute_sql('DROP INDEX "test_tag_salon_only"')
