"""Row ids from URLs and forms: whole numbers within the id column's range, or nothing.

A huge number must never reach the database (SQLite raises OverflowError on it), so it
simply finds nothing: a 404 in a URL, a field error in a form.
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


def parse_id(value):
    """Return a positive id within range from text, or None."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ids beyond the column's range do not match (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
