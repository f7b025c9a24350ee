"""Customer card: time to open a customer with 5,000 timeline events versus one with 5.

The big customer has 1,250 sales (2 items each, some voided), 1,250 appointments, 1,250
messages and 1,250 audited edits. Measured through the Flask app (login, full page
render) and at the service level (the first timeline page, and a "load more" slice
deep in the history).
"""
import datetime
import random

from salon_web import create_app
from salon_web.models import (
    Appointment, AuditEvent, CustomerCommunication, Membership, Salon, SalonCustomer, Sale, SaleItem, User,
)
from salon_web.services import timeline
from salon_web.services.customers import create_salon_customer
from salon_web.services.passwords import hash_password
from bench.support import ensure_database, p50, row, timings

SLUG = "bench-detail-v2"
PASSWORD = "bench-password-123"
PER_KIND = 1_250


def _seed(database):
    salon = Salon.get_or_none(Salon.slug == SLUG)
    if salon is not None:
        return salon, *(SalonCustomer.get((SalonCustomer.salon == salon) & (SalonCustomer.full_name == name))
                        for name in ("Big History", "Page History", "Small History"))
    rng = random.Random(5)
    with database.atomic():
        salon = Salon.create(name="Bench Detail", slug=SLUG, country="RW", timezone="Africa/Kigali", currency="RWF")
        user, _ = User.get_or_create(email="bench.detail@example.com",
                                     defaults={"name": "Bench Stylist", "password_hash": hash_password(PASSWORD)})
        Membership.create(salon=salon, user=user, role="owner")
        big = create_salon_customer(salon, full_name="Big History", phone="+250788900001", phone_e164="+250788900001",
                                    preferences={"allergies": "Latex"})
        small = create_salon_customer(salon, full_name="Small History", phone="+250788900002",
                                      phone_e164="+250788900002")
        one_page = create_salon_customer(salon, full_name="Page History", phone_e164="+250788900003")
        # Fillers so the tables are not trivially small for the planner.
        for n in range(200):
            create_salon_customer(salon, full_name=f"Filler {n}", phone_e164=f"+25078891{n:04d}")
        _history(salon, big, user, PER_KIND, rng)
        _history(salon, small, user, 1, rng)
        _history(salon, one_page, user, 6, rng)
        AuditEvent.create(salon=salon, user=user, action="customer.updated", object_type="customer",
                          object_id=str(small.id), detail={"widget": "notes", "fields": [], "before": {}, "after": {}})
    database.execute_sql("ANALYZE")
    return salon, big, one_page, small


def _history(salon, customer, user, count, rng):
    start = datetime.datetime(2021, 1, 1, 9, 0)
    moments = [start + datetime.timedelta(hours=rng.randrange(0, 5 * 365 * 24)) for _ in range(count)]
    sales = [{"salon": salon.id, "customer": customer.id, "total": 15_000, "sold_at": at, "created_by": user.id,
              "status": "voided" if n % 50 == 0 else "completed",
              "voided_at": at + datetime.timedelta(hours=1) if n % 50 == 0 else None}
             for n, at in enumerate(moments)]
    ids = [r[0] for r in Sale.insert_many(sales).returning(Sale.id).tuples().execute()]
    items = [{"salon": salon.id, "sale": sale_id, "description": d, "quantity": 1, "unit_price": 7_500}
             for sale_id in ids for d in ("Cut", "Colour")]
    for chunk in range(0, len(items), 1000):
        SaleItem.insert_many(items[chunk:chunk + 1000]).execute()
    Appointment.insert_many([{"salon": salon.id, "customer": customer.id, "employee": user.id, "service_name": "Braids",
                              "price": 20_000, "scheduled_at": at - datetime.timedelta(days=1), "status": "completed"}
                             for at in moments]).execute()
    CustomerCommunication.insert_many([{"salon": salon.id, "customer": customer.id, "type": "sms",
                                        "purpose": "appointment_reminder", "status": "delivered", "message": "See you",
                                        "sent_by": user.id, "created_at": at - datetime.timedelta(days=2)}
                                       for at in moments]).execute()
    AuditEvent.insert_many([{"salon": salon.id, "user": user.id, "action": "customer.updated", "object_type": "customer",
                             "object_id": str(customer.id), "at": at + datetime.timedelta(hours=3),
                             "detail": {"widget": "notes", "fields": ["notes"], "before": {"notes": ""},
                                        "after": {"notes": "x"}}} for at in moments]).execute()


def run(database_url, args):
    """Print p50/p95 of the card and timeline for 5,000 events versus 5, and their ratio."""
    database = ensure_database(database_url)
    salon, big, one_page, small = _seed(database)
    counts = [sum(1 for _ in _all_events(c)) for c in (big, one_page, small)]
    print(f"timeline events: big customer {counts[0]}, one-page customer {counts[1]}, small customer {counts[2]}")
    app = create_app({"TESTING": True, "DATABASE": database, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"email": "bench.detail@example.com", "password": PASSWORD})
    assert response.status_code == 303, response.status_code

    def page(customer):
        response = client.get(f"/salons/{salon.id}/customers/{customer.id}")
        assert response.status_code == 200
        return response

    repeat = args.repeat
    small_page = timings(lambda: page(small), repeat)
    full_page = timings(lambda: page(one_page), repeat)
    big_page = timings(lambda: page(big), repeat)
    print(row("card page, 5 events (HTTP, rendered)", small_page))
    print(row("card page, 24 events = 1 full page (HTTP)", full_page, small_page))
    print(row("card page, 5,000 events (HTTP, rendered)", big_page, small_page))

    small_tl = timings(lambda: timeline.timeline_page(small), repeat)
    big_tl = timings(lambda: timeline.timeline_page(big), repeat)
    print(row("timeline first page, 5 events (service)", small_tl))
    print(row("timeline first page, 5,000 events (service)", big_tl, small_tl))

    cursor = None
    for _ in range(200):  # walk 4,000 events deep
        _, cursor = timeline.timeline_page(big, cursor=cursor)
    deep = timings(lambda: timeline.timeline_page(big, cursor=cursor), repeat)
    print(row("timeline load more at event 4,000 (service)", deep, big_tl))
    fragment = timings(lambda: client.get(f"/salons/{salon.id}/customers/{big.id}/timeline",
                                          query_string={"before": cursor},
                                          headers={"HX-Request": "true", "HX-Target": "timeline-more"}), repeat)
    print(row("load more at event 4,000 (HTTP fragment)", fragment, big_tl))
    print(f"ratio card 5,000 / 5 events: x{p50(big_page) / p50(small_page):.2f}; "
          f"5,000 / one full page (same 20 rows rendered): x{p50(big_page) / p50(full_page):.2f}")


def _all_events(customer):
    cursor = None
    while True:
        events, cursor = timeline.timeline_page(customer, cursor=cursor, per_page=500)
        yield from events
        if cursor is None:
            return
