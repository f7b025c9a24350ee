"""The activity timeline: one stream newest first, filter by kind, keyset paging, constant cost."""
import datetime

import pytest
from playhouse.test_utils import count_queries

from salon_web.models import Appointment, AuditEvent, CustomerCommunication, Sale, SaleItem
from salon_web.services import timeline
from tests import factories

T0 = datetime.datetime(2026, 3, 1, 10, 0)


def url(world):
    return f"/salons/{world.salon.id}/customers/{world.customer.id}/timeline"


def add_sale(world, at, total=15_000, voided_at=None, items=("Cut",), customer=None):
    sale = Sale.create(salon=world.salon, customer=customer or world.customer, total=total, sold_at=at,
                       status="voided" if voided_at else "completed", voided_at=voided_at,
                       void_reason="Wrong customer" if voided_at else None)
    for description in items:
        SaleItem.create(salon=world.salon, sale=sale, description=description, quantity=1, unit_price=total)
    return sale


def add_appointment(world, at, status="scheduled"):
    return Appointment.create(salon=world.salon, customer=world.customer, service_name="Braids", price=20_000,
                              scheduled_at=at, status=status, employee=world.users["employee"])


def add_message(world, at, text="Reminder"):
    return CustomerCommunication.create(salon=world.salon, customer=world.customer, type="sms", purpose="other",
                                        message=text, created_at=at, status_updated_at=at)


def add_edit(world, at, notes="n"):
    return AuditEvent.create(salon=world.salon, action="customer.updated", object_type="customer",
                             object_id=str(world.customer.id), at=at,
                             detail={"widget": "notes", "fields": ["notes"], "before": {"notes": ""}, "after": {"notes": notes}})


def mixed_history(world):
    add_sale(world, T0, items=("Cut", "Wash"))
    add_sale(world, T0 + datetime.timedelta(days=1), voided_at=T0 + datetime.timedelta(days=2))
    add_appointment(world, T0 + datetime.timedelta(days=3), status="completed")
    add_message(world, T0 + datetime.timedelta(days=4))
    add_edit(world, T0 + datetime.timedelta(days=5))


def test_one_stream_newest_first(world):
    mixed_history(world)
    events, cursor = timeline.timeline_page(world.customer)
    assert [e.kind for e in events] == ["edit", "communication", "appointment", "void", "sale", "sale"]
    assert cursor is None
    assert [i.description for i in events[-1].items] == ["Cut", "Wash"]
    assert events[2].user_name == "Emma Employee"


def test_other_customers_and_salons_never_appear(world):
    other = factories.make_customer(world.salon, "Other Kigali")
    add_sale(world, T0, customer=other)
    CustomerCommunication.create(salon=world.other_salon, customer=world.other_customer, type="sms",
                                 purpose="other", message="Paris", created_at=T0)
    AuditEvent.create(salon=world.other_salon, action="customer.updated", object_type="customer",
                      object_id=str(world.customer.id), at=T0, detail={})
    assert timeline.timeline_page(world.customer) == ([], None)


@pytest.mark.parametrize("kind, expected", [("sale", ["void", "sale", "sale"]), ("appointment", ["appointment"]),
                                            ("communication", ["communication"]), ("edit", ["edit"])])
def test_filter_by_kind(world, kind, expected):
    mixed_history(world)
    events, _ = timeline.timeline_page(world.customer, kind=kind)
    assert [e.kind for e in events] == expected


def test_keyset_paging_has_no_gaps_or_repeats_even_with_ties(world):
    # 23 events per kind, many sharing the same second across kinds, plus microsecond stamps.
    for n in range(23):
        at = T0 + datetime.timedelta(hours=n // 3)
        add_sale(world, at)
        add_appointment(world, at)
        add_message(world, at.replace(microsecond=n * 1000))
        add_edit(world, at)
    seen, cursor, pages = [], None, 0
    while True:
        events, cursor = timeline.timeline_page(world.customer, cursor=cursor, per_page=7)
        seen.extend(e.key for e in events)
        pages += 1
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4 * 23
    assert seen == sorted(seen, reverse=True)
    assert pages == 14


def test_page_cost_does_not_grow_with_history(world):
    mixed_history(world)
    with count_queries() as small:
        timeline.timeline_page(world.customer)
    for n in range(120):
        add_sale(world, T0 - datetime.timedelta(days=n + 1))
        add_message(world, T0 - datetime.timedelta(days=n + 1))
    with count_queries() as large:
        events, cursor = timeline.timeline_page(world.customer)
    assert len(events) == timeline.PER_PAGE and cursor
    assert large.count == small.count  # one query per source, one for items, one for names


def test_timeline_route_full_page_fragment_and_load_more(client, world, login_as):
    for n in range(30):
        add_message(world, T0 + datetime.timedelta(minutes=n), text=f"Message {n:02d}")
    login_as("employee")
    full = client.get(url(world)).get_data(as_text=True)
    assert "<html" in full and "Message 29" in full and "Message 10" in full and "Message 09" not in full
    fragment = client.get(url(world), headers={"HX-Request": "true", "HX-Target": "timeline"}).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<section id="timeline"')
    cursor = timeline.timeline_page(world.customer)[1]
    more = client.get(url(world), query_string={"before": cursor},
                      headers={"HX-Request": "true", "HX-Target": "timeline-more"}).get_data(as_text=True)
    assert "<html" not in more and "<section" not in more
    assert "Message 09" in more and "Message 00" in more and "Message 10" not in more and "Load more" not in more


def test_card_embeds_the_timeline_with_load_more(client, world, login_as):
    for n in range(25):
        add_message(world, T0 + datetime.timedelta(minutes=n))
    login_as("owner")
    page = client.get(f"/salons/{world.salon.id}/customers/{world.customer.id}").get_data(as_text=True)
    assert 'id="timeline-more"' in page and "before=" in page


@pytest.mark.parametrize("query", [{"kind": "everything"}, {"before": "garbage"}, {"before": "20260101T000000000000.9.1"},
                                   {"before": "20261301T000000000000.1.1"}])
def test_bad_parameters_are_400_not_500(client, world, login_as, query):
    login_as("employee")
    response = client.get(url(world), query_string=query)
    assert response.status_code == 400 and "error-message" in response.get_data(as_text=True)


def test_edits_from_the_card_appear_in_the_timeline(client, world, login_as):
    login_as("employee")
    client.post(f"/salons/{world.salon.id}/customers/{world.customer.id}/tags", data={"tag": "Bridal"})
    page = client.get(url(world), query_string={"kind": "edit"}).get_data(as_text=True)
    assert "Bridal" in page and "added" in page and "by Emma Employee" in page


def test_sale_with_items_and_void_render(client, world, login_as):
    add_sale(world, T0, total=12_500, items=("Colour", "Treatment"), voided_at=T0 + datetime.timedelta(hours=1))
    login_as("owner")
    page = client.get(url(world)).get_data(as_text=True)
    assert "RWF 12,500" in page and "Colour" in page and "Treatment" in page
    assert "voided" in page and "Wrong customer" in page


def test_card_query_count_does_not_grow_with_history(client, world, login_as):
    login_as("employee")
    mixed_history(world)
    card = f"/salons/{world.salon.id}/customers/{world.customer.id}"
    with count_queries() as small:
        assert client.get(card).status_code == 200
    for n in range(60):
        add_sale(world, T0 - datetime.timedelta(days=n + 1), items=("Cut", "Wash", "Dry"))
        add_appointment(world, T0 - datetime.timedelta(days=n + 1))
    with count_queries() as large:
        assert client.get(card).status_code == 200
    assert large.count == small.count
