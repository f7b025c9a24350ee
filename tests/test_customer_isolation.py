"""Non-interference: nothing salon A is told depends on data only salon B holds.

The differential test runs one random sequence of customer creations and contact edits in salon A
twice over the real HTML form and JSON API, once alone and once with random activity in salon B
interleaved (same phones, same e-mails), and asserts A's responses are equal apart from ids,
tokens and timestamps. The examples below are the issue's reproductions, kept as plain tests.
"""
import datetime
import re
import threading

import pytest

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from salon_web.db import db
from salon_web.models import ALL_MODELS, Customer, SalonCustomer
from salon_web.services import analytics_cache
from salon_web.services.customer_create import Contact, DuplicateCustomer, create_customer, parse_contact
from salon_web.services.customer_edit import EditConflict, Seen, contact_changes, save_widget, widget_basis
from salon_web.services.customers import identity_for_phone
from salon_web.services.field_errors import FieldErrors
from tests import factories
from tests.api_helpers import Api
from tests.conftest import BACKEND, clean_database

# Small pools, so the two salons keep typing the same numbers and addresses.
PHONES = (None, "0788 100 001", "+250 788 100 002")
EMAILS = (None, "family@example.com")
NAMES = ("Aline", "Divine", "Grace")
TODAY = datetime.date(2026, 6, 1)

contact = st.tuples(st.sampled_from(PHONES), st.sampled_from(EMAILS))
a_step = st.one_of(
    st.tuples(st.just("a_form"), st.sampled_from(NAMES), contact, st.booleans()),
    st.tuples(st.just("a_api"), st.sampled_from(NAMES), contact, st.booleans()),
    st.tuples(st.just("a_edit"), st.integers(0, 3), contact, st.just(None)),
)
b_step = st.one_of(
    st.tuples(st.just("b_create"), st.sampled_from(NAMES), contact, st.booleans()),
    st.tuples(st.just("b_edit"), st.integers(0, 3), contact, st.just(None)),
)


def quick_clean(database):
    """Empty the database as clean_database does; on PostgreSQL by DELETE, far faster than TRUNCATE on tiny tables."""
    if BACKEND != "postgres":
        return clean_database(database)
    analytics_cache.clear()
    tables = [m._meta.table_name for m in ALL_MODELS]
    with database.atomic():
        for table in reversed(tables):
            database.execute_sql(f'DELETE FROM "{table}"')
        for table in (m._meta.table_name for m in ALL_MODELS if m._meta.primary_key.name == "id"):
            # ids restart at 1, so both runs of an example number alike
            database.execute_sql("SELECT setval(pg_get_serial_sequence(%s, 'id'), 1, false)", (f'"{table}"',))


class Salons:
    """Salon A's staff over HTTP (form and API) and salon B's activity through the services."""

    def __init__(self, app, database):
        quick_clean(database)
        self.a = factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF", slug="a")
        self.b = factories.make_salon("Kigali Shine", "RW", "Africa/Kigali", "RWF", slug="b")
        owner = factories.make_user("owner@a.example", salon=self.a, role="owner")
        self.client = app.test_client()
        self.client.refresh_csrf_token()
        self.client.post("/login", data={"email": owner.email, "password": factories.PASSWORD})
        self.client.refresh_csrf_token("/profile")
        app.config["API_RATE_LIMIT"] = 1_000_000
        self.api = Api(app, owner)

    def cards(self, salon):
        return list(SalonCustomer.select().where(SalonCustomer.salon == salon).order_by(SalonCustomer.id))

    def run(self, kind, name, phone_email, flag):
        """Perform one step; return A's normalised response (None for B's steps)."""
        phone, email = phone_email
        if kind == "a_form":
            form = {"full_name": name, "phone": phone or "", "email": email or ""}
            if flag:
                form["create_anyway"] = "yes"
            return self.seen(self.client.post(f"/salons/{self.a.id}/customers/new", data=form))
        if kind == "a_api":
            body = {"fullName": name, "phone": phone, "email": email, "allowSharedEmail": flag}
            return self.seen(self.api.post(f"/salons/{self.a.id}/customers", json=body))
        if kind == "a_edit":
            cards = self.cards(self.a)
            if not cards:
                return "no card"
            card = cards[name % len(cards)]
            form = {"version": card.version, "basis": widget_basis(card, "contact"), "full_name": card.full_name,
                    "phone": phone or "", "email": email or "", "birthday": ""}
            return self.seen(self.client.post(f"/salons/{self.a.id}/customers/{card.id}/contact", data=form))
        self.b_step(kind, name, phone, email, flag)
        return None

    def b_step(self, kind, name, phone, email, flag):
        form = {"full_name": name if kind == "b_create" else "B", "phone": phone or "", "email": email or ""}
        values, errors = parse_contact(self.b, form, today=TODAY)
        cards = self.cards(self.b)
        try:
            if kind == "b_create":
                create_customer(self.b, values, allow_shared_email=flag)
            elif cards:
                card = cards[name % len(cards)]
                contact = Contact(full_name=card.full_name, phone=phone or "", email=email or "")
                changes = contact_changes(self.b, card, contact, today=TODAY)
                save_widget(card, "contact", changes, Seen(card.version, widget_basis(card, "contact")))
        except (FieldErrors, EditConflict):
            pass

    def seen(self, response):
        """Status, location and body of a response, with ids, tokens and timestamps made comparable."""
        ordinal = {card.id: n for n, card in enumerate(self.cards(self.a))}
        text = response.get_data(as_text=True) + " @ " + response.headers.get("Location", "")
        text = re.sub(r"(/customers/|customer |customer-)(\d+)", lambda m: f"{m[1]}#{ordinal.get(int(m[2]), '?')}", text)
        text = re.sub(r'("id":\s*)(\d+)', lambda m: f"{m[1]}#{ordinal.get(int(m[2]), '?')}", text)
        text = re.sub(r'(csrf_token" value="|X-CSRFToken": "|nonce=")[^"]+', r"\1…", text)
        text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?", "<time>", text)
        text = re.sub(r"\b\d\d:\d\d\b", "<hh:mm>", text)  # a slow run may cross a minute between the two worlds
        return response.status_code, text

    def a_list(self):
        """Everything A can list about its customers, through the API."""
        return self.seen(self.api.get(f"/salons/{self.a.id}/customers", query_string={"sort": "name"}))


def play(app, database, steps, *, with_b):
    salons = Salons(app, database)
    seen = [salons.run(*step) for step in steps if with_b or step[0].startswith("a_")]
    return [s for s in seen if s is not None] + [salons.a_list()]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
# The cases: B holds phone and e-mail on one card; A's e-mail-only card, then phone-only card.
@example(b_first=[("b_create", "Aline", (PHONES[1], EMAILS[1]), False)],
         steps=[("a_form", "Divine", (None, EMAILS[1]), False), ("a_api", "Grace", (PHONES[1], None), False)])
# B's family shares an address; A creates two phone-less cards with it, the second "anyway".
@example(b_first=[("b_create", "Aline", (None, EMAILS[1]), False)],
         steps=[("a_api", "Divine", (None, EMAILS[1]), False), ("a_form", "Grace", (None, EMAILS[1]), True)])
# A's edit gives a card a number B holds beside A's e-mail.
@example(b_first=[("b_create", "Aline", (PHONES[2], EMAILS[1]), False)],
         steps=[("a_form", "Divine", (None, EMAILS[1]), False), ("a_form", "Grace", (PHONES[1], None), False),
                ("a_edit", 1, (PHONES[2], None), None)])
@given(b_first=st.lists(b_step, max_size=4), steps=st.lists(st.one_of(a_step, b_step), min_size=1, max_size=10))
def test_salon_a_sees_the_same_whatever_salon_b_does(app, database, b_first, steps):
    alone = play(app, database, b_first + steps, with_b=False)
    beside_b = play(app, database, b_first + steps, with_b=True)
    assert beside_b == alone


# --- the reproductions ------------------------------------------------------------------

def test_phone_and_email_that_go_together_elsewhere_are_not_a_duplicate_here(client, world, login_as):
    factories.make_customer(world.other_salon, "Zoé Paris", phone="+250 788 424 242", email="zoe@paris.fr")
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/new"
    assert client.post(url, data={"full_name": "Email Only", "email": "zoe@paris.fr"}).status_code == 303
    phone_only = client.post(url, data={"full_name": "Phone Only", "phone": "0788 424 242"})
    assert phone_only.status_code == 303, phone_only.get_data(as_text=True)


def test_api_phone_and_email_that_go_together_elsewhere_are_not_a_duplicate_here(app, world):
    factories.make_customer(world.other_salon, "Zoé Paris", phone="+250 788 424 242", email="zoe@paris.fr")
    api = Api(app, world.users["owner"])
    url = f"/salons/{world.salon.id}/customers"
    assert api.post(url, json={"fullName": "Email Only", "email": "zoe@paris.fr"}).status_code == 201
    phone_only = api.post(url, json={"fullName": "Phone Only", "phone": "0788 424 242"})
    assert phone_only.status_code == 201, phone_only.get_json()


def test_family_sharing_an_email_without_phones_can_be_created_anyway(client, app, world, login_as):
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/new"
    assert client.post(url, data={"full_name": "Mum", "email": "family@example.com"}).status_code == 303
    refused = client.post(url, data={"full_name": "Son", "email": "family@example.com"})
    assert refused.status_code == 422 and 'name="create_anyway"' in refused.get_data(as_text=True)
    anyway = client.post(url, data={"full_name": "Son", "email": "family@example.com", "create_anyway": "yes"})
    assert anyway.status_code == 303
    api = Api(app, world.users["owner"])
    body = {"fullName": "Daughter", "email": "family@example.com", "allowSharedEmail": True}
    assert api.post(f"/salons/{world.salon.id}/customers", json=body).status_code == 201
    family = SalonCustomer.select().where(SalonCustomer.email == "family@example.com")
    assert len({card.__data__["identity"] for card in family}) == 3  # no phone: an identity of its own each


def test_same_phone_in_two_salons_shares_one_identity_holding_only_the_phone(world):
    theirs = factories.make_customer(world.other_salon, "Zoé Paris", phone="+250 788 424 242", email="zoe@paris.fr")
    mine = factories.make_customer(world.salon, "Zoe Kigali", phone="0788 424 242", email="zoe@kigali.rw")
    assert mine.__data__["identity"] == theirs.__data__["identity"]
    assert [f.name for f in Customer._meta.sorted_fields] == ["id", "phone_e164", "created_at"]
    assert identity_for_phone("+250788424242") == mine.__data__["identity"]
    assert identity_for_phone(None) != identity_for_phone(None)


def test_a_phone_taken_by_a_colleague_meanwhile_is_a_duplicate_not_an_error(client, world, login_as, monkeypatch):
    """Two staff save the same number at once: the unique (salon, phone) index decides, naming the card."""
    from salon_web.services import customer_create

    real = customer_create.find_duplicates
    calls = []

    def late(salon, **kwargs):  # the first check runs before the colleague's card is saved
        calls.append(kwargs)
        return [] if len(calls) == 1 else real(salon, **kwargs)

    monkeypatch.setattr(customer_create, "find_duplicates", late)
    login_as("employee")
    response = client.post(f"/salons/{world.salon.id}/customers/new",
                           data={"full_name": "Racer", "phone": "0788 123 456"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Possible duplicate" in page and "Aline Uwase" in page
    assert SalonCustomer.select().where(SalonCustomer.salon == world.salon).count() == 1


def test_a_phone_edit_racing_a_colleague_is_a_field_error_not_an_error_page(client, world, login_as, monkeypatch):
    from salon_web.services import customer_edit

    other = factories.make_customer(world.salon, "Divine", phone="0788 999 000")
    monkeypatch.setattr(customer_edit, "find_duplicates", lambda *args, **kwargs: [])
    login_as("owner")
    form = {"version": other.version, "basis": widget_basis(other, "contact"), "full_name": "Divine",
            "phone": "0788 123 456", "email": "", "birthday": ""}
    response = client.post(f"/salons/{world.salon.id}/customers/{other.id}/contact", data=form,
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "already on another card" in response.get_data(as_text=True)
    assert SalonCustomer.get_by_id(other.id).phone_e164 == "+250788999000"



@pytest.mark.postgres_only
def test_concurrent_creations_of_one_phone_in_two_salons_make_one_card_each(world):
    """Race-safe: the unique (salon, phone) index decides within a salon; the identity insert never refuses."""
    barrier = threading.Barrier(8)
    outcomes = []

    def create(n):
        salon = (world.salon, world.other_salon)[n % 2]
        values, _ = parse_contact(salon, {"full_name": f"Racer {n}", "phone": "+250 788 777 001"}, today=TODAY)
        with db.obj.connection_context():
            barrier.wait()
            try:
                create_customer(salon, values)
                outcomes.append(("created", salon.id))
            except DuplicateCustomer as duplicate:
                outcomes.append(("duplicate", [m.salon_id for m in duplicate.matches] == [salon.id]))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o for o in outcomes if o[0] == "created") == sorted([("created", world.salon.id),
                                                                         ("created", world.other_salon.id)])
    assert outcomes.count(("duplicate", True)) == 6  # each names its own salon's card, never the other's
    cards = SalonCustomer.select().where(SalonCustomer.phone_e164 == "+250788777001")
    assert len({card.__data__["identity"] for card in cards}) == 1
