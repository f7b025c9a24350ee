"""The one cursor codec: positions round-trip as opaque tokens, anything else is a BadCursor."""
import base64
import datetime
import re

import pytest

from salon_web.services import paging, timeline
from salon_web.services.customer_filter import Cursor

AT = datetime.datetime(2026, 1, 2, 3, 4, 5, 678)


def token(raw):
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_a_position_round_trips_and_the_token_is_url_safe():
    text = paging.encode(AT, 5, 42)
    assert re.fullmatch(paging.PATTERN, text)
    assert paging.decode(text, lambda at, rank, row: (paging.moment(at), rank, row)) == (AT, 5, 42)


@pytest.mark.parametrize("text", [
    "", "%00", "not base64!", "W10x", token("{}"), token('"x"'), token("[[1]]"), token('[{"a":1}]'),
    token("[" * 5000 + "]" * 5000), "A" * (paging.MAX_LENGTH + 1),
])
def test_anything_but_a_list_of_scalars_is_refused(text):
    with pytest.raises(paging.BadCursor):
        paging.decode(text, lambda *parts: parts)


def test_what_the_list_refuses_is_a_bad_cursor():
    def build(row_id):
        return paging.whole_number(row_id, 1, 10)

    assert paging.decode(paging.encode(3), build) == 3
    for parts in ((0,), (11,), (True,), ("3",), (3.0,), (1, 2)):  # out of range, not an int, wrong arity
        with pytest.raises(paging.BadCursor):
            paging.decode(paging.encode(*parts), build)


def test_the_timeline_and_the_customer_list_share_the_codec():
    event = timeline.Event("sale", AT, type("Sale", (), {"id": 7})())
    assert timeline.parse_cursor(event.cursor) == (AT, timeline.KINDS["sale"], 7)
    assert paging.decode(event.cursor, lambda *parts: parts) == (AT.isoformat(), 5, 7)
    cursor = Cursor("name", "asc", "after", 0, "aline", 3)
    assert paging.decode(cursor.encode(), lambda *parts: parts) == ("name", "asc", "after", 0, "aline", 3)


@pytest.mark.parametrize("parts", [(AT, 9, 1), (AT, 0, 1), (AT, True, 1), (AT, 5, -1), (AT, 5, 2**62 + 1),
                                   ("2026-13-01T00:00:00", 5, 1), ("2026-01-01T00:00:00+02:00", 5, 1), (AT, 5)])
def test_the_timeline_refuses_positions_it_never_hands_out(parts):
    with pytest.raises(timeline.BadCursor):
        timeline.parse_cursor(paging.encode(*parts))
