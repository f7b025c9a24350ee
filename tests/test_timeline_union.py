"""The timeline's stream is one UNION ALL statement; paging through ties across kinds loses and repeats nothing."""
import datetime

from playhouse.test_utils import count_queries

from salon_web.services import timeline
from tests.test_tenant_sql import recorded_sql
from tests.test_timeline import T0, add_appointment, add_edit, add_message, add_sale, mixed_history


def test_the_stream_is_one_union_all_statement(world):
    mixed_history(world)
    with recorded_sql(requests_only=False) as statements:
        events, _ = timeline.timeline_page(world.customer)
    unions = [sql for sql in statements if "kind_rank" in sql]  # (the page's rows follow in one_trip's UNION ALL)
    assert len(unions) == 1 and unions[0].count("UNION ALL") == 4  # five sources, one statement
    assert all(sql.count("salon_id") >= 5 for sql in unions)
    assert len(events) == 6


def test_paging_through_same_second_events_of_every_kind(world):
    for n in range(7):  # every kind at the same few seconds: the rank and the id break the ties
        at = T0 + datetime.timedelta(seconds=n % 3)
        add_sale(world, at, voided_at=at if n % 2 else None)
        add_appointment(world, at)
        add_message(world, at)
        add_edit(world, at)
    seen, cursor = [], None
    while True:
        events, cursor = timeline.timeline_page(world.customer, cursor=cursor, per_page=4)
        seen.extend((e.at, timeline.KINDS[e.kind], e.id) for e in events)
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7 * 4 + 3  # 3 voids
    assert seen == sorted(seen, reverse=True)


def test_a_5000_event_card_reads_as_few_statements_as_a_5_event_one(world):
    mixed_history(world)
    with count_queries() as small:
        timeline.timeline_page(world.customer)
    for n in range(1_000):
        at = T0 - datetime.timedelta(hours=n + 1)
        add_sale(world, at, voided_at=at if n % 2 else None)
        add_appointment(world, at)
        add_message(world, at)
        add_edit(world, at)
    with count_queries() as large:
        events, cursor = timeline.timeline_page(world.customer)
    assert cursor and len(events) == timeline.PER_PAGE
    assert large.count <= small.count
