"""Issue 15's service menu on both databases: owners keep it, booking and sale lines link to it by name (free text
still works), the list's "had service S in the last N days" filter, revenue and clients per service."""
import datetime

import pytest

from salon_web.models import Appointment, SaleItem, Service
from salon_web.services import service_menu
from salon_web.services.appointments import book_appointment, change_appointment_status
from salon_web.services.field_errors import FieldErrors
from salon_web.services.sales import post_sale, void_sale
from salon_web.web_forms.customer_list import list_filter
from tests import factories

NOW = datetime.datetime(2026, 6, 1, 12, 0)


def test_owners_keep_the_menu_and_names_are_unique_per_salon(world):
    braids = service_menu.save_service(world.salon, name=" Box  braids ", category="Hair", duration_minutes=180,
                                       price=30000)
    assert (braids.name, braids.name_key) == ("Box braids", "box braids")
    with pytest.raises(FieldErrors) as refused:
        service_menu.save_service(world.salon, name="BOX BRAIDS", duration_minutes=0, price=-1)
    assert set(refused.value.errors) == {"name", "duration_minutes", "price"}
    service_menu.save_service(world.other_salon, name="Box braids")  # another salon's menu is its own
    off = service_menu.save_service(world.salon, name="Perm", active=True)
    service_menu.save_service(world.salon, service=off, name="Perm", active=False)
    assert service_menu.menu_names(world.salon) == ["Box braids"]
    assert [s.name for s in service_menu.menu(world.salon)] == ["Perm", "Box braids"]  # by category, "" first


def test_booking_and_sale_lines_link_to_the_menu_by_name_and_free_text_still_works(world):
    colour = service_menu.save_service(world.salon, name="Colour", price=25000, duration_minutes=90)
    booked = book_appointment(world.salon, customer=world.customer, service_name="colour", price=None,
                              scheduled_at=NOW)
    assert (booked.service_id, booked.price) == (colour.id, 25000)  # empty price: the menu's
    free = book_appointment(world.salon, customer=world.customer, service_name="Head massage", price=None,
                            scheduled_at=NOW)
    assert (free.service_id, free.price) == (None, 0)
    post_sale(world.salon, customer=world.customer, items=[("Colour", 1, 24000), ("Hair oil", 2, 1500)], now=NOW)
    assert [(i.description, i.service_id) for i in SaleItem.select().order_by(SaleItem.id)] == [
        ("Colour", colour.id), ("Hair oil", None)]


def _client_with(world, name, service, days_ago, *, by="sale", status="completed"):
    customer = factories.make_customer(world.salon, name)
    when = NOW - datetime.timedelta(days=days_ago)
    if by == "sale":
        sale = post_sale(world.salon, customer=customer, items=[(service.name, 1, service.price)], sold_at=when,
                         now=NOW)
        if status == "voided":
            void_sale(sale, reason="Mistake")
    else:
        appointment = book_appointment(world.salon, customer=customer, service_name=service.name, price=None,
                                       scheduled_at=when)
        change_appointment_status(appointment, status, now=when)
    return customer


def test_the_list_finds_who_had_a_service_in_the_last_n_days(world):
    colour = service_menu.save_service(world.salon, name="Colour", price=25000)
    cut = service_menu.save_service(world.salon, name="Cut", price=5000)
    _client_with(world, "Sold Colour Recently", colour, 10)
    _client_with(world, "Booked Colour Recently", colour, 20, by="appointment")
    _client_with(world, "Colour Long Ago", colour, 200)
    _client_with(world, "Voided Colour", colour, 5, status="voided")
    _client_with(world, "Missed Colour", colour, 5, by="appointment", status="no_show")
    _client_with(world, "Cut Only", cut, 3)
    theirs = service_menu.save_service(world.other_salon, name="Couleur")

    def names(args):
        customer_filter, errors = list_filter(args, world.salon)
        assert not errors
        return sorted(c.full_name for c in customer_filter.matching(world.salon, now=NOW))

    assert names({"service": str(colour.id)}) == ["Booked Colour Recently", "Sold Colour Recently"]  # 90 days
    assert names({"service": str(colour.id), "service_days": "365"}) == [
        "Booked Colour Recently", "Colour Long Ago", "Sold Colour Recently"]
    assert names({"service": str(colour.id), "service_days": "15"}) == ["Sold Colour Recently"]
    assert names({"service": str(theirs.id)}) == []  # another salon's service matches nobody here
    _, errors = list_filter({"service": "x", "service_days": "0"}, world.salon)
    assert set(errors) == {"service", "service_days"}


def test_revenue_and_clients_per_service(world):
    colour = service_menu.save_service(world.salon, name="Colour", price=25000)
    first = _client_with(world, "First", colour, 3)
    post_sale(world.salon, customer=first, items=[("Colour", 2, 20000), ("Tip", 1, 1000)], sold_at=NOW, now=NOW)
    _client_with(world, "Second", colour, 4)
    _client_with(world, "Voided", colour, 4, status="voided")
    start, end = NOW - datetime.timedelta(days=30), NOW + datetime.timedelta(minutes=1)
    assert service_menu.revenue_by_service(world.salon, start, end) == [
        ("Colour", 25000 + 40000 + 25000, 2), (None, 1000, 1)]


def test_the_menu_pages(client, world, login_as):
    login_as("owner")
    created = client.post(f"/salons/{world.salon.id}/services", data={
        "name": "Silk press", "category": "Hair", "duration_minutes": "75", "price": "18,000", "active": "yes"})
    assert created.status_code == 303
    service = Service.get()
    assert (service.price, service.duration_minutes, service.active) == (18000, 75, True)
    page = client.get(f"/salons/{world.salon.id}/services").get_data(as_text=True)
    assert "Silk press" in page and "RWF 18,000" in page
    edit = client.get(f"/salons/{world.salon.id}/services/{service.id}").get_data(as_text=True)
    assert 'value="18,000"' in edit or 'value="18000"' in edit
    saved = client.post(f"/salons/{world.salon.id}/services/{service.id}", data={
        "name": "Silk press", "category": "Hair", "duration_minutes": "75", "price": "19000"})
    assert saved.status_code == 303 and Service.get().active is False and Service.get().price == 19000
    refused = client.post(f"/salons/{world.salon.id}/services", data={"name": "", "price": "much"},
                          headers={"HX-Request": "true", "HX-Target": "service-form"})
    assert refused.status_code == 422 and 'id="service-price-error"' in refused.get_data(as_text=True)
    sales_page = client.get(f"/salons/{world.salon.id}/sales").get_data(as_text=True)
    assert '<datalist id="service-menu">' in sales_page
    assert Appointment.select().count() == 0


def test_the_api_list_takes_the_new_filters(app, world):
    from tests.api_helpers import api_as

    colour = service_menu.save_service(world.salon, name="Colour", price=25000)
    _client_with(world, "Colour Client", colour, 1)
    api = api_as(app, world, "owner")
    found = api.get(f"/salons/{world.salon.id}/customers?service={colour.id}&service_days=3650")
    assert found.status_code == 200
    assert [c["fullName"] for c in found.get_json()["data"]] == ["Colour Client"]
    assert api.get(f"/salons/{world.salon.id}/customers?min_missed=1").get_json()["data"] == []
    assert api.get(f"/salons/{world.salon.id}/customers?service_days=0").status_code == 422
