"""Hostile input never gives a 500: each answers a clear 4xx and writes nothing (hardening issue 10, item 5).

Huge or tiny money in scientific notation, dates at the ends of the calendar, page numbers and
cursor ids beyond bigint, NUL in a cursor, deeply nested JSON, names whose folded form outgrows
the column, and a CR/LF in the page to return to after voiding: on HTML pages, htmx fragments
and the API, as a logged-in owner.
"""
import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from salon_web.models import (
    Appointment, AuditEvent, Customer, CustomerCommunication, LoginThrottle, Sale, SaleItem, SalonCustomer,
    SavedSegment, Tag, Visit,
)
from salon_web.services.sales import post_sale
from tests.api_helpers import api_as

HTMX = {"HX-Request": "true", "HX-Target": "results"}
HUGE_MONEY = "1E+1000000"
TINY_MONEY = "1e-99999999999"
ANCIENT, DISTANT = "0001-01-01", "9999-12-31"
WRITTEN = (Sale, SaleItem, Appointment, SalonCustomer, Customer, AuditEvent, Visit, CustomerCommunication,
           SavedSegment, Tag)


def row_counts():
    """How many rows each table written by the forms holds."""
    return {model.__name__: model.select().count() for model in WRITTEN}


@pytest.fixture
def owner(client, world, login_as):
    login_as("owner")
    return world


def cursor(*parts):
    """A customer-list cursor as the list encodes one (base64url of a JSON array)."""
    raw = json.dumps(list(parts), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def assert_refused(response, *, status=None, says=None):
    """A 4xx (the given one, if any) whose body explains the problem."""
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])
    if status is not None:
        assert response.status_code == status, response.get_data(as_text=True)[:500]
    if says is not None:
        assert says in response.get_data(as_text=True)


# --- money in scientific notation -------------------------------------------------------------

@pytest.mark.parametrize("amount", [HUGE_MONEY, TINY_MONEY, "1e3", "-0", "NaN", "Infinity", "9" * 5000])
def test_money_filter_in_scientific_notation_is_a_field_error(client, owner, amount):
    path = f"/salons/{owner.salon.id}/customers"
    before = row_counts()
    for headers in ({}, HTMX):
        response = client.get(path, query_string={"min_spent": amount}, headers=headers)
        if amount == "-0":  # minus zero is zero: harmless, accepted
            assert response.status_code == 200
            continue
        assert_refused(response, status=422, says="amount")
    export = client.get(path + "/export", query_string={"min_spent": amount})
    assert export.status_code == (200 if amount == "-0" else 422)
    bulk = client.post(path + "/bulk-tags", data={"scope": "all", "tag": "VIP", "action": "add", "min_spent": amount})
    if amount != "-0":
        assert_refused(bulk, status=422)
    segment = client.post(f"/salons/{owner.salon.id}/segments", data={"name": "Big", "query": f"min_spent={amount}"})
    if amount != "-0":
        assert_refused(segment, status=422)
        assert row_counts() == before


@pytest.mark.parametrize("price", [HUGE_MONEY, TINY_MONEY, "1e2"])
def test_sale_and_booking_prices_in_scientific_notation_are_refused(client, owner, price):
    before = row_counts()
    sale = client.post(f"/salons/{owner.salon.id}/sales", data={
        "customer_id": owner.customer.id, "item_description": "Cut", "item_quantity": "1", "item_price": price})
    assert_refused(sale, status=422, says="amount")
    booking = client.post(f"/salons/{owner.salon.id}/appointments", data={
        "customer_id": owner.customer.id, "service_name": "Cut", "price": price, "scheduled_at": "2026-05-01T10:00"})
    assert_refused(booking, status=422, says="amount")
    assert row_counts() == before


def test_api_money_filter_in_scientific_notation_is_a_problem(app, world):
    api = api_as(app, world, "owner")
    for amount in (HUGE_MONEY, TINY_MONEY):
        for name in ("min_spent", "minSpent"):
            response = api.get(f"/salons/{world.salon.id}/customers", query_string={name: amount})
            assert_refused(response, status=422)
            assert response.mimetype == "application/problem+json"


# --- dates at the ends of the calendar ---------------------------------------------------------

@pytest.mark.parametrize("day", [ANCIENT, DISTANT])
def test_extreme_dates_in_list_filters_are_field_errors(client, owner, day):
    salon = owner.salon.id
    for headers in ({}, HTMX):
        for name in ("from", "to"):
            response = client.get(f"/salons/{salon}/sales", query_string={name: day}, headers=headers)
            assert_refused(response, status=422, says="date")
        appointments = client.get(f"/salons/{salon}/appointments", query_string={"day": day},
                                  headers={**headers, "HX-Target": "appointment-results"})
        assert_refused(appointments, status=422, says="date")
        for period in ({"from": day, "to": day}, {"from": day, "to": "2026-01-31"}, {"from": "2026-01-01", "to": day}):
            analytics = client.get(f"/salons/{salon}/customers/analytics", query_string=period,
                                   headers={**headers, "HX-Target": "period"})
            assert_refused(analytics, status=422, says="date")


@pytest.mark.parametrize("moment", [f"{ANCIENT}T00:00", f"{DISTANT}T23:59", "0001-01-01T05:00"])
def test_extreme_datetimes_in_forms_are_field_errors(client, owner, moment):
    salon = owner.salon.id
    before = row_counts()
    sale = client.post(f"/salons/{salon}/sales", data={
        "customer_id": owner.customer.id, "item_description": "Cut", "item_quantity": "1", "item_price": "5000",
        "sold_at": moment})
    assert_refused(sale, status=422, says="date")
    booking = client.post(f"/salons/{salon}/appointments", data={
        "customer_id": owner.customer.id, "service_name": "Cut", "price": "5000", "scheduled_at": moment})
    assert_refused(booking, status=422, says="date")
    assert row_counts() == before


@pytest.mark.parametrize("day", [ANCIENT, DISTANT])
def test_extreme_dates_on_the_customer_card_are_field_errors(client, owner, day):
    salon, customer = owner.salon.id, owner.customer
    before = row_counts()
    new = client.post(f"/salons/{salon}/customers/new", data={"full_name": "Nadia", "birthday": day})
    assert_refused(new, status=422, says="birthday")
    base = f"/salons/{salon}/customers/{customer.id}"
    contact = client.post(base + "/contact", data={"full_name": customer.full_name, "birthday": day,
                                                   "version": customer.version})
    assert_refused(contact, status=422)
    follow_up = client.post(base + "/follow-up", data={"follow_up_on": day, "version": customer.version})
    assert_refused(follow_up, status=422)
    status = client.post(f"/salons/{salon}/appointments/999/status", data={"status": "confirmed", "day": day})
    assert status.status_code == 404
    assert row_counts() == before


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+05:00",
                                    "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00"])
def test_api_extreme_sale_dates_are_problems(app, world, moment):
    api = api_as(app, world, "owner")
    before = row_counts()
    response = api.post(f"/salons/{world.salon.id}/sales", json={
        "customerId": world.customer.id, "items": [{"description": "Cut", "unitPrice": 5000}], "soldAt": moment})
    assert_refused(response, status=422)
    assert response.mimetype == "application/problem+json"
    assert row_counts() == before


@pytest.mark.parametrize("day", [ANCIENT, DISTANT])
def test_api_extreme_customer_dates_are_problems(app, world, day):
    api = api_as(app, world, "owner")
    before = row_counts()
    created = api.post(f"/salons/{world.salon.id}/customers", json={"fullName": "Nadia", "birthday": day})
    assert_refused(created, status=422)
    customer = world.customer
    for field in ("birthday", "followUpOn"):
        patched = api.patch(f"/salons/{world.salon.id}/customers/{customer.id}",
                            json={"version": customer.version, field: day})
        assert_refused(patched, status=422)
    assert row_counts() == before


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00", "9999-12-31T23:59:59.999999"])
def test_customer_list_cursor_at_the_ends_of_the_calendar(client, owner, stamp):
    page = client.get(f"/salons/{owner.salon.id}/customers",
                      query_string={"cursor": cursor("last_visit", "desc", "after", 0, stamp, 1)})
    assert page.status_code in (200, 422)


@pytest.mark.parametrize("before", ["00010101T000000000000.5.1", "99991231T235959999999.1.1"])
def test_timeline_cursor_at_the_ends_of_the_calendar(client, owner, before):
    response = client.get(f"/salons/{owner.salon.id}/customers/{owner.customer.id}/timeline",
                          query_string={"before": before})
    assert response.status_code in (200, 400)


# --- paging beyond bigint ---------------------------------------------------------------------

@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "1" + "0" * 30, "-1", "0", "²", "1.5"])
def test_sales_page_beyond_bigint_is_refused(client, owner, page):
    for headers in ({}, HTMX):
        response = client.get(f"/salons/{owner.salon.id}/sales", query_string={"page": page}, headers=headers)
        assert_refused(response, status=422, says="Page")


@pytest.mark.parametrize("page", ["99999999999999999999", "9" * 5000])
def test_customer_page_beyond_bigint_is_refused(client, owner, page):
    response = client.get(f"/salons/{owner.salon.id}/customers", query_string={"page": page})
    assert_refused(response, status=422, says="Page")


def test_api_page_beyond_bigint_is_a_problem(app, world):
    api = api_as(app, world, "owner")
    response = api.get(f"/salons/{world.salon.id}/customers", query_string={"page": "99999999999999999999"})
    assert_refused(response, status=422)


# --- cursors: huge ids and NUL ------------------------------------------------------------------

@pytest.mark.parametrize("parts", [
    ("last_visit", "desc", "after", 0, "2026-01-01T00:00:00", 10**30),
    ("last_visit", "desc", "after", 1, None, 10**30),
    ("total_spent", "desc", "after", 0, 10**30, 1),
    ("visit_count", "desc", "after", 0, -10**30, 1),
    ("name", "asc", "after", 0, "aline", 2**63),
    ("name", "asc", "after", 0, "a\x00b", 1),
    ("name", "asc", "after", 0, "x" * 100_000, 1),
])
def test_customer_cursor_out_of_range_or_with_nul_is_refused(client, owner, app, world, parts):
    sort, order = parts[0], parts[1]
    query = {"cursor": cursor(*parts), "sort": sort, "order": order}
    for headers in ({}, HTMX):
        response = client.get(f"/salons/{owner.salon.id}/customers", query_string=query, headers=headers)
        assert_refused(response, status=422, says="page link")
    api = api_as(app, world, "owner")
    response = api.get(f"/salons/{world.salon.id}/customers", query_string=query)
    assert response.status_code in (422,), response.get_data(as_text=True)


def test_customer_cursor_that_is_not_base64_json_is_refused(client, owner):
    for text in ("%00", "W10", "e30", "WyJ", "W" + "1s" * 5000, cursor(*[[[]]] * 6), cursor("name", "asc", "after", True, "a", 1)):
        response = client.get(f"/salons/{owner.salon.id}/customers", query_string={"cursor": text})
        assert_refused(response, status=422)
    for text in ("\x00", "AAAA\x00"):  # the NUL guard answers first
        assert_refused(client.get(f"/salons/{owner.salon.id}/customers", query_string={"cursor": text}), status=400)


def test_customer_cursor_nested_thousands_deep_is_refused(client, owner):
    deep = base64.urlsafe_b64encode(b"[" * 700 + b"]" * 700).decode()
    response = client.get(f"/salons/{owner.salon.id}/customers", query_string={"cursor": deep})
    assert_refused(response, status=422, says="page link")


def test_timeline_cursor_with_nul_or_huge_id_is_refused(client, owner):
    base = f"/salons/{owner.salon.id}/customers/{owner.customer.id}/timeline"
    for before in ("20260101T000000000000.5.1\x00", "20260101T000000000000.5." + "9" * 40, "\x00"):
        assert_refused(client.get(base, query_string={"before": before}), status=400)


# --- deeply nested JSON -------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_api_deeply_nested_json_is_a_problem(app, world, depth):
    api = api_as(app, world, "owner")
    before = row_counts()
    for body in ("[" * depth + "]" * depth, '{"items":' + "[" * depth + "]" * depth + "}",
                 '{"a":' * depth + "1" + "}" * depth):
        response = api.call("POST", f"/salons/{world.salon.id}/sales", data=body,
                            headers={"Content-Type": "application/json"})
        assert_refused(response)
        assert response.mimetype == "application/problem+json"
        assert "nest" in response.get_json()["detail"]
    assert row_counts() == before


# --- text whose lower-cased or folded form outgrows its column -----------------------------------

@pytest.mark.parametrize("name", ["ß" * 150, "ﷺ" * 20, "ǅ" * 200, "a" * 199 + "ß"])
def test_names_whose_folded_form_outgrows_the_column_are_refused(client, owner, app, world, name):
    salon = owner.salon.id
    before = row_counts()
    new = client.post(f"/salons/{salon}/customers/new", data={"full_name": name})
    assert_refused(new, status=422, says="without accents")
    contact = client.post(f"/salons/{salon}/customers/{owner.customer.id}/contact",
                          data={"full_name": name, "version": owner.customer.version},
                          headers={"HX-Request": "true", "HX-Target": "widget-contact"})
    assert_refused(contact, status=422, says="without accents")
    created = api_as(app, world, "owner").post(f"/salons/{salon}/customers", json={"fullName": name})
    assert_refused(created, status=422)
    assert row_counts() == before


def test_a_name_whose_folded_form_fits_is_accepted(client, owner):
    """"İ" folds to one character ("i"), so 200 of them fit the search column."""
    response = client.post(f"/salons/{owner.salon.id}/customers/new", data={"full_name": "İ" * 200})
    assert response.status_code == 303
    assert SalonCustomer.get(SalonCustomer.full_name == "İ" * 200).name_search == "i" * 200


@pytest.mark.parametrize("email", ["İ" * 200, "İ" * 130 + "@example.com"])
def test_emails_whose_lower_case_outgrows_the_column_are_refused(client, owner, app, world, email):
    salon = owner.salon.id
    before = row_counts()
    new = client.post(f"/salons/{salon}/customers/new", data={"full_name": "Nadia", "email": email})
    assert_refused(new, status=422, says="email")
    message = client.post(f"/salons/{salon}/customers/{owner.customer.id}/communications",
                          data={"type": "email", "purpose": "follow_up", "message": "Hello", "recipient": email})
    assert_refused(message, status=422)
    created = api_as(app, world, "owner").post(f"/salons/{salon}/customers", json={"fullName": "Nadia", "email": email})
    assert_refused(created, status=422)
    assert row_counts() == before


def test_login_with_an_email_whose_lower_case_outgrows_the_column(app, world):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    response = client.post("/login", data={"email": "İ" * 200, "password": "whatever-password"},
                           headers={"X-CSRFToken": token})
    assert_refused(response)
    assert LoginThrottle.select().count() == 0  # refused by the form, before any attempt is counted


# --- the page to return to after voiding ---------------------------------------------------------

@pytest.mark.parametrize("suffix", ["\r\nSet-Cookie: x=1", "\n", "\r", " \t", "\u2028", "/../../customers", "X"])
def test_void_with_an_odd_next_url_voids_and_goes_back_to_the_list(client, owner, suffix):
    sale = post_sale(owner.salon, customer=owner.customer, items=[("Cut", 1, 5000)])
    list_url = f"/salons/{owner.salon.id}/sales"
    response = client.post(f"{list_url}/{sale.id}/void", data={"reason": "Wrong customer",
                                                               "next_url": list_url + suffix})
    assert response.status_code == 303
    assert response.headers["Location"] == list_url
    assert Sale.get_by_id(sale.id).status == "voided"
    assert AuditEvent.select().where(AuditEvent.action == "sale.voided").count() == 1


def test_void_returns_to_the_filtered_list_it_came_from(client, owner):
    sale = post_sale(owner.salon, customer=owner.customer, items=[("Cut", 1, 5000)])
    list_url = f"/salons/{owner.salon.id}/sales"
    response = client.post(f"{list_url}/{sale.id}/void", data={"reason": "Wrong customer",
                                                               "next_url": f"{list_url}?from=2026-01-01&page=2"})
    assert response.headers["Location"] == f"{list_url}?from=2026-01-01&page=2"


def test_void_with_nul_in_next_url_is_refused_before_the_write(client, owner):
    sale = post_sale(owner.salon, customer=owner.customer, items=[("Cut", 1, 5000)])
    list_url = f"/salons/{owner.salon.id}/sales"
    response = client.post(f"{list_url}/{sale.id}/void", data={"reason": "Wrong customer",
                                                               "next_url": list_url + "?from=\x00"})
    assert_refused(response, status=400)
    assert Sale.get_by_id(sale.id).status == "completed"


def test_nul_in_a_repeated_parameter_or_a_name_is_refused(client, owner):
    """The NUL guard read only the first value of each parameter."""
    path = f"/salons/{owner.salon.id}/customers"
    assert_refused(client.get(path + "?tags=VIP&tags=a%00b"), status=400)
    assert_refused(client.get(path + "?a%00b=1"), status=400)
    before = row_counts()
    response = client.post(path + "/bulk-tags", data=MultiDict([
        ("scope", "selected"), ("ids", str(owner.customer.id)), ("ids", "1\x00"), ("tag", "VIP"), ("action", "add")]))
    assert_refused(response, status=400)
    assert row_counts() == before


# --- digits that are not ASCII, and bodies larger than we accept -----------------------------------

@pytest.mark.parametrize("number", ["²", "١٢", "9" * 5000])
def test_non_ascii_or_endless_digits_in_ids_and_versions_are_field_errors(client, owner, number):
    salon, customer = owner.salon.id, owner.customer
    before = row_counts()
    sale = client.post(f"/salons/{salon}/sales", data={"customer_id": number, "item_description": "Cut",
                                                       "item_quantity": number, "item_price": "5000"})
    assert_refused(sale, status=422)
    booking = client.post(f"/salons/{salon}/appointments", data={
        "customer_id": customer.id, "employee_id": number, "service_name": "Cut", "price": "5000",
        "scheduled_at": "2026-05-01T10:00", "duration_minutes": number})
    assert_refused(booking, status=422)
    base = f"/salons/{salon}/customers/{customer.id}"
    preferences = client.post(base + "/preferences", data={"preferred_employee": number, "version": customer.version})
    assert_refused(preferences, status=422, says="staff")
    notes = client.post(base + "/notes", data={"notes": "Likes tea", "version": number})
    assert_refused(notes, status=422, says="out of date")
    listing = client.get(f"/salons/{salon}/appointments", query_string={"employee": number})
    assert_refused(listing, status=422)
    assert row_counts() == before


def test_a_body_larger_than_we_accept_is_413(client, owner, app, world):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"/salons/{owner.salon.id}/customers/{owner.customer.id}/notes",
                           data={"notes": big, "version": owner.customer.version})
    assert response.status_code == 413
    api = api_as(app, world, "owner")
    response = api.call("POST", f"/salons/{world.salon.id}/sales", data=big,
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


# --- random text at the list filters and a few forms --------------------------------------------

NASTY = st.one_of(
    st.text(max_size=30),
    st.sampled_from([HUGE_MONEY, TINY_MONEY, ANCIENT, DISTANT, f"{DISTANT}T23:59", "9" * 40, "-9" * 20, "²", "١٢",
                     "ß" * 150, "İ" * 200, "NaN", "1e3", "0x10", "%", "_", "\\", "'", '"', "\u202e", "\ufeff",
                     "2026-02-30", "2026-01-01T25:00", "+99", " ", "\r\n"]),
)
FUZZ = settings(max_examples=25, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LIST_PARAMETERS = ("q", "tags", "tag_mode", "min_visits", "min_spent", "days_since_last_visit", "sort", "order",
                   "page", "per_page", "cursor")


@FUZZ
@given(values=st.dictionaries(st.sampled_from(LIST_PARAMETERS), NASTY, max_size=4))
def test_random_customer_list_filters_never_fail(client, owner, values):
    response = client.get(f"/salons/{owner.salon.id}/customers", query_string=values, headers=HTMX)
    assert response.status_code < 500


@FUZZ
@given(values=st.fixed_dictionaries({}, optional={
    "from": NASTY, "to": NASTY, "page": NASTY, "customer": NASTY, "day": NASTY, "status": NASTY, "employee": NASTY,
    "days": NASTY}))
def test_random_sales_appointments_and_analytics_filters_never_fail(client, owner, values):
    salon = owner.salon.id
    for path in ("sales", "appointments", "customers/analytics"):
        assert client.get(f"/salons/{salon}/{path}", query_string=values).status_code < 500


@FUZZ
@given(values=st.fixed_dictionaries({}, optional={
    "full_name": NASTY, "phone": NASTY, "email": NASTY, "birthday": NASTY, "customer_id": NASTY,
    "item_description": NASTY, "item_quantity": NASTY, "item_price": NASTY, "sold_at": NASTY, "service_name": NASTY,
    "price": NASTY, "scheduled_at": NASTY, "duration_minutes": NASTY, "follow_up_on": NASTY, "version": NASTY}))
def test_random_forms_never_fail(client, owner, values):
    salon, customer = owner.salon.id, owner.customer.id
    for path in ("customers/new", "sales", "appointments", f"customers/{customer}/contact",
                 f"customers/{customer}/follow-up"):
        assert client.post(f"/salons/{salon}/{path}", data=values).status_code < 500


@FUZZ
@given(values=st.dictionaries(st.sampled_from(LIST_PARAMETERS + ("minSpent", "limit", "sortBy")), NASTY, max_size=4),
       body=st.fixed_dictionaries({}, optional={"fullName": NASTY, "email": NASTY, "birthday": NASTY,
                                                "phone": NASTY}))
def test_random_api_list_parameters_and_bodies_never_fail(app, world, values, body):
    api = api_as(app, world, "owner")
    assert api.get(f"/salons/{world.salon.id}/customers", query_string=values).status_code < 500
    assert api.post(f"/salons/{world.salon.id}/customers", json=body).status_code < 500
