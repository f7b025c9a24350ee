"""The one cursor codec of keyset paging: a position in an ordering as an opaque, URL-safe token.

A position is a few JSON scalars (a sort value, an id, ...): encoded as base64url of a JSON array,
so links stay short and nobody is tempted to edit them. Decoding checks the shape only (length,
base64, JSON scalars); each list says what its parts mean through the `build` function it passes,
and anything that function refuses (ValueError, TypeError) is a BadCursor. The customer list, its
API and the customer card's timeline all page with it.
"""
import base64
import binascii
import datetime
import json

MAX_LENGTH = 1_000
PATTERN = r"^[A-Za-z0-9_-]+$"  # what `encode` produces (the API documents it)
_SCALARS = (str, int, float, type(None))


class BadCursor(ValueError):
    """A token that is not a position this list handed out."""

    def __init__(self, message="That page link is not valid."):
        super().__init__(message)


def encode(*parts):
    """Return the token for a position (datetimes as ISO text)."""
    values = [part.isoformat() if isinstance(part, datetime.datetime) else part for part in parts]
    raw = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(text, build):
    """Return `build(*parts)` for the position in the token; raise BadCursor for anything else."""
    if not isinstance(text, str) or not text or len(text) > MAX_LENGTH:
        raise BadCursor()
    try:
        parts = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError) as error:
        raise BadCursor() from error
    if not isinstance(parts, list) or not all(isinstance(part, _SCALARS) for part in parts):
        raise BadCursor()
    try:
        return build(*parts)
    except (ValueError, TypeError, OverflowError) as error:
        raise BadCursor() from error


def whole_number(value, minimum, maximum):
    """Return `value` when it is an int (not a bool) within minimum..maximum; TypeError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise TypeError("whole number out of range")
    return value


def moment(value):
    """Return the naive (UTC) datetime written as ISO text; ValueError or TypeError otherwise."""
    at = datetime.datetime.fromisoformat(value)
    if at.tzinfo is not None:
        raise ValueError("positions hold naive UTC times")
    return at
