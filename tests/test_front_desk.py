"""Issue 15 on both databases: payment methods and their split, no-shows and late cancellations (computed), the
list's missed-appointments filter, the owners' settings page."""
import datetime

import pytest

from salon_web.models import NotInSalon, Sale, Salon, SalonCustomer
from salon_web.services import front_desk
from salon_web.services.analytics.periods import Period
from salon_web.services.appointments import book_appointment, change_appointment_status
from salon_web.services.field_errors import FieldErrors
from salon_web.services.sales import post_sale, void_sale
from salon_web.web_forms.customer_list import list_filter
from tests import factories

START = datetime.datetime(2026, 3, 10, 9, 0)  # naive UTC


def _sale(world, total, method, customer=None, sold_at=START):
    return post_sale(world.salon, customer=customer or world.customer, items=[("Cut", 1, total)],
                     payment_method=method, sold_at=sold_at, now=START + datetime.timedelta(days=30))


# --- payment methods -------------------------------------------------------------------------


def test_a_sale_records_its_payment_method_and_defaults_to_the_salons_first(world):
    assert _sale(world, 1000, "mobile_money").payment_method == "mobile_money"
    assert _sale(world, 1000, None).payment_method == "cash"
    assert [s.payment_method for s in Sale.select().order_by(Sale.id)] == ["mobile_money", "cash"]
    front_desk.update_settings(world.salon, methods=["card", "mobile_money"], no_show_warning=3)
    salon = Salon.get_by_id(world.salon.id)
    assert front_desk.payment_methods(salon) == ["mobile_money", "card"]  # the standard order
    assert post_sale(salon, customer=world.customer, items=[("Oil", 1, 500)]).payment_method == "mobile_money"
    with pytest.raises(FieldErrors) as refused:
        post_sale(salon, customer=world.customer, items=[("Oil", 1, 500)], payment_method="cash")
    assert refused.value.errors == {"payment_method": "Choose one of this salon's payment methods."}
    with pytest.raises(FieldErrors):
        post_sale(salon, customer=world.customer, items=[("Oil", 1, 500)], payment_method="cheque")


def test_the_split_counts_completed_sales_by_method_in_the_period(world):
    _sale(world, 5000, "cash")
    _sale(world, 7000, "mobile_money")
    _sale(world, 3000, "mobile_money", sold_at=START + datetime.timedelta(days=1))
    void_sale(_sale(world, 9999, "card"), reason="Wrong client")  # voided: not in the split
    _sale(world, 100, "cash", sold_at=START - datetime.timedelta(days=40))  # before the period
    other = factories.make_customer(world.other_salon, "Other Client")
    post_sale(world.other_salon, customer=other, items=[("Coupe", 1, 8000)], payment_method="card")
    Sale.update(payment_method=None).where(Sale.total == 100).execute()  # a sale from before payment methods
    start, end = START - datetime.timedelta(days=1), START + datetime.timedelta(days=2)
    assert front_desk.payment_split(world.salon, start, end) == [("Cash", 1, 5000), ("Mobile money", 2, 10000)]
    assert front_desk.payment_split(world.salon) == [("Cash", 1, 5000), ("Mobile money", 2, 10000),
                                                     ("Not recorded", 1, 100)]
    assert front_desk.payment_split(world.salon, customer=world.customer)[0] == ("Cash", 1, 5000)


def test_settings_refuse_no_method_and_a_bad_threshold(world):
    with pytest.raises(FieldErrors) as refused:
        front_desk.update_settings(world.salon, methods=["cheque"], no_show_warning=0)
    assert set(refused.value.errors) == {"payment_methods", "no_show_warning"}
    front_desk.update_settings(world.salon, methods=list(front_desk.PAYMENT_METHODS), no_show_warning=2)
    assert Salon.get_by_id(world.salon.id).payment_methods is None  # all of them


def test_the_sales_page_and_api_carry_the_payment_method(client, world, login_as, app):
    login_as("employee")
    page = client.get(f"/salons/{world.salon.id}/sales").get_data(as_text=True)
    assert 'name="payment_method" value="cash" checked' in page and "Mobile money" in page
    response = client.post(f"/salons/{world.salon.id}/sales", data={
        "customer_id": str(world.customer.id), "idempotency_key": "k-1", "item_description": ["Braids"],
        "item_quantity": ["1"], "item_price": ["20,000"], "payment_method": "mobile_money"})
    assert response.status_code == 303
    assert Sale.get().payment_method == "mobile_money"
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "By payment method" in listing and "<td>Mobile money</td>" in listing
    refused = client.post(f"/salons/{world.salon.id}/sales", data={
        "customer_id": str(world.customer.id), "idempotency_key": "k-2", "item_description": ["Oil"],
        "item_quantity": ["1"], "item_price": ["500"], "payment_method": "cheque"})
    assert refused.status_code == 422 and "Choose one of this salon&#39;s payment methods." in refused.get_data(as_text=True)


def test_the_api_takes_and_returns_the_payment_method(app, world):
    from tests.api_helpers import api_as

    api = api_as(app, world, "owner")
    created = api.post(f"/salons/{world.salon.id}/sales", json={
        "customerId": world.customer.id, "items": [{"description": "Cut", "unitPrice": 4000}],
        "paymentMethod": "bank_transfer"})
    assert created.status_code == 201 and created.get_json()["paymentMethod"] == "bank_transfer"
    default = api.post(f"/salons/{world.salon.id}/sales", json={
        "customerId": world.customer.id, "items": [{"description": "Cut", "unitPrice": 4000}]})
    assert default.get_json()["paymentMethod"] == "cash"
    bad = api.post(f"/salons/{world.salon.id}/sales", json={
        "customerId": world.customer.id, "items": [{"description": "Cut", "unitPrice": 4000}], "paymentMethod": "x"})
    assert bad.status_code == 422


# --- no-shows and late cancellations ---------------------------------------------------------


def _appointment(world, customer, hours_ahead, status, *, changed_hours_before_start=48):
    """An appointment starting `hours_ahead` after START whose status changed that long before its start."""
    scheduled = START + datetime.timedelta(hours=hours_ahead)
    appointment = book_appointment(world.salon, customer=customer, service_name="Cut", price=1000,
                                   scheduled_at=scheduled)
    if status != "scheduled":
        change_appointment_status(appointment, status,
                                  now=scheduled - datetime.timedelta(hours=changed_hours_before_start))
    return appointment


def test_no_shows_and_late_cancellations_are_counted_from_appointments(world):
    customer = world.customer
    _appointment(world, customer, 1, "no_show", changed_hours_before_start=-2)  # marked 2 h after the start
    _appointment(world, customer, 50, "no_show", changed_hours_before_start=-1)
    _appointment(world, customer, 100, "cancelled", changed_hours_before_start=3)  # late
    _appointment(world, customer, 150, "cancelled", changed_hours_before_start=48)  # in good time
    _appointment(world, customer, 200, "completed", changed_hours_before_start=-1)
    _appointment(world, customer, 250, "scheduled")
    other = factories.make_customer(world.salon, "Reliable Client")
    _appointment(world, other, 1, "completed", changed_hours_before_start=-1)
    counted = front_desk.reliability(world.salon, customer)
    assert (counted.no_shows, counted.late_cancellations, counted.missed) == (2, 1, 3)
    assert counted.warn  # the default threshold is 2
    assert not front_desk.reliability(world.salon, other).warn
    assert front_desk.missed_in_period(world.salon, START, START + datetime.timedelta(days=30)) == (2, 1, 7)
    edge = factories.make_customer(world.salon, "On The Edge")
    _appointment(world, edge, 300, "cancelled", changed_hours_before_start=24)  # in time: late is under 24 h
    _appointment(world, edge, 350, "cancelled", changed_hours_before_start=23)
    assert front_desk.reliability(world.salon, edge) == front_desk.Reliability(0, 1, world.salon.no_show_warning)


def test_the_card_reads_its_customer_and_their_missed_appointments_in_one_go(world):
    _appointment(world, world.customer, 1, "no_show", changed_hours_before_start=-2)
    _appointment(world, world.customer, 100, "cancelled", changed_hours_before_start=3)
    elsewhere = factories.make_customer(world.other_salon, "Paris Person")
    theirs = book_appointment(world.other_salon, customer=elsewhere, service_name="Cut", price=1000, scheduled_at=START)
    change_appointment_status(theirs, "no_show", now=START + datetime.timedelta(hours=2))
    customer, counted = front_desk.card_customer(world.salon, world.customer.id)
    assert customer.__data__ == SalonCustomer.get_in_salon(world.salon, world.customer.id).__data__
    assert counted == front_desk.reliability(world.salon, world.customer) == front_desk.Reliability(1, 1, 2)
    quiet = factories.make_customer(world.salon, "No Appointments")
    assert front_desk.card_customer(world.salon, quiet.id)[1] == front_desk.Reliability(0, 0, 2)
    for foreign in (elsewhere.id, 10**30):  # another salon's card, an id no row can have
        with pytest.raises(NotInSalon):
            front_desk.card_customer(world.salon, foreign)


def test_the_list_filters_by_missed_appointments(world):
    often = factories.make_customer(world.salon, "Often Missing")
    once = factories.make_customer(world.salon, "Missed Once")
    for hours in (1, 30):
        _appointment(world, often, hours, "no_show", changed_hours_before_start=-1)
    _appointment(world, once, 5, "cancelled", changed_hours_before_start=1)
    _appointment(world, world.customer, 5, "cancelled", changed_hours_before_start=72)  # not late
    for minimum, names in ((1, ["Missed Once", "Often Missing"]), (2, ["Often Missing"]), (3, [])):
        customer_filter, errors = list_filter({"min_missed": str(minimum)}, world.salon)
        assert not errors
        assert sorted(c.full_name for c in customer_filter.matching(world.salon)) == names
    customer_filter, errors = list_filter({"min_missed": "-1"}, world.salon)
    assert "min_missed" in errors and customer_filter.min_missed is None


def test_the_card_warns_from_the_owners_threshold(client, world, login_as):
    for hours in (1, 30):
        _appointment(world, world.customer, hours, "no_show", changed_hours_before_start=-1)
    login_as("employee")
    card = client.get(f"/salons/{world.salon.id}/customers/{world.customer.id}").get_data(as_text=True)
    assert 'id="missed-warning"' in card and "2 no-shows and 0 late cancellations" in card
    login_as("owner")
    saved = client.post(f"/salons/{world.salon.id}/settings",
                        data={"payment_methods": ["cash", "mobile_money"], "no_show_warning": "3"})
    assert saved.status_code == 303
    card = client.get(f"/salons/{world.salon.id}/customers/{world.customer.id}").get_data(as_text=True)
    assert 'id="missed-warning"' not in card
    refused = client.post(f"/salons/{world.salon.id}/settings", data={"no_show_warning": "many"},
                          headers={"HX-Request": "true", "HX-Target": "settings-form"})
    assert refused.status_code == 422 and "<html" not in refused.get_data(as_text=True)
    assert Salon.get_by_id(world.salon.id).no_show_warning == 3


def test_analytics_shows_payments_and_missed_appointments_of_the_period(client, world, login_as):
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    post_sale(world.salon, customer=world.customer, items=[("Cut", 1, 6000)], payment_method="card")
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Cut", price=1000,
                                   scheduled_at=now - datetime.timedelta(days=2))
    change_appointment_status(appointment, "no_show")
    login_as("owner")
    page = client.get(f"/salons/{world.salon.id}/customers/analytics").get_data(as_text=True)
    section = page.split('id="payments-heading"', 1)[1]
    assert "Card" in section and "RWF 6,000" in section and "100%" in section
    missed = page.split('id="missed-heading"', 1)[1]
    assert "No-shows</dt><dd class=\"metric__value\">1<" in missed
    figures = front_desk.period_figures(world.salon, Period(now.date() - datetime.timedelta(days=29), now.date()))
    assert (figures["no_shows"], figures["appointments"], figures["missed_rate"]) == (1, 1, 1.0)
