"""Row ids from URLs and forms: whole numbers within the id column's range, or nothing.

A huge number must never reach the database (SQLite raises OverflowError on it), so it
simply finds nothing: a 404 for a URL (tenancy checks `in_range`), a field error in a form.
"""
MAX_ID = 2**31 - 1


def parse_id(value):
    """Return a positive id within range from text, or None."""
    text = str(value or "").strip()
    # isdigit() alone also accepts "²", which int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if in_range(number) else None


def in_range(number):
    """True for an id the id columns can hold."""
    return 1 <= number <= MAX_ID
