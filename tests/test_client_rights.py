"""A client's rights: their data as JSON, and being forgotten (erased, kept out of every search and export)."""
import datetime
import json

import pytest

from salon_web.models import AuditEvent, Customer, CustomerCommunication, CustomerTag, Sale, SalonCustomer
from salon_web.services import client_rights
from salon_web.services.appointments import book_appointment, change_appointment_status
from salon_web.services.customer_edit import apply_changes
from salon_web.services.sales import customer_options, post_sale, void_sale
from salon_web.services.visits import recompute_figures
from tests import factories
from tests.api_helpers import api_as

NOW = datetime.datetime(2026, 3, 14, 12, 0)


def _history(world):
    """A sale, a voided sale with a reason, a completed appointment and a message for world.customer."""
    customer = world.customer
    post_sale(world.salon, customer=customer, items=[("Braids", 1, 20_000)], sold_at=NOW, now=NOW)
    voided = post_sale(world.salon, customer=customer, items=[("Wash", 1, 5_000)], sold_at=NOW, now=NOW)
    void_sale(voided, reason="Aline changed her mind", now=NOW)
    appointment = book_appointment(world.salon, customer=customer, service_name="Colour", price=30_000,
                                   scheduled_at=NOW - datetime.timedelta(days=3))
    change_appointment_status(appointment, "completed", now=NOW)
    CustomerCommunication.create(salon=world.salon, customer=customer, type="sms", purpose="follow_up",
                                 subject="Hi Aline", message="Aline, your colour is ready", recipient="+250788123456")
    apply_changes(customer, {"notes": "Allergic to latex, lives in Kimihurura"}, expected_version=customer.version,
                  widget="notes")
    return SalonCustomer.get_by_id(customer.id)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_download_is_everything_the_salon_holds_about_the_client(client, world, login_as, role):
    customer = _history(world)
    login_as(role)
    response = client.get(f"/salons/{world.salon.id}/customers/{customer.id}/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["customer"]["full_name"] == "Aline Uwase" and data["customer"]["email"] == "aline@example.com"
    assert data["customer"]["notes"].startswith("Allergic") and data["tags"] == ["VIP"]
    assert sorted(s["total"] for s in data["sales"]) == [5_000, 20_000]
    assert all(s["items"] for s in data["sales"])
    assert data["appointments"][0]["service_name"] == "Colour"
    assert data["communications"][0]["message"] == "Aline, your colour is ready"
    assert len(data["visits"]) == 2 and any(e["action"] == "customer.updated" for e in data["history"])
    assert AuditEvent.get(AuditEvent.action == "customer.data_export").object_id == str(customer.id)


def test_forget_needs_the_confirm_step(client, world, login_as):
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/{world.customer.id}/forget"
    page = client.get(url)
    assert page.status_code == 200 and "cannot be undone" in page.get_data(as_text=True)
    refused = client.post(url, data={})
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    fragment = client.post(url, data={}, headers={"HX-Request": "true", "HX-Target": "forget-client"})
    assert fragment.status_code == 422 and "<html" not in fragment.get_data(as_text=True)
    assert SalonCustomer.get_by_id(world.customer.id).full_name == "Aline Uwase"


def test_forget_erases_personal_data_and_keeps_the_books(client, world, login_as):
    customer = _history(world)
    old_identity = customer.customer_id
    figures_before = (customer.visit_count, customer.total_spent, customer.first_visit_at, customer.last_visit_at)
    login_as("owner")
    response = client.post(f"/salons/{world.salon.id}/customers/{customer.id}/forget", data={"confirm": "yes"})
    assert response.status_code == 303
    card = SalonCustomer.get_by_id(customer.id)
    assert card.forgotten_at is not None and card.full_name == client_rights.FORGOTTEN_NAME
    assert (card.phone, card.phone_e164, card.email, card.birthday, card.notes, card.preferences) == (
        None, None, None, None, "", {})
    assert card.customer_id != old_identity and Customer.get_by_id(card.customer_id).phone_e164 is None
    assert not CustomerTag.select().where(CustomerTag.customer == card.id).exists()
    message = CustomerCommunication.get(CustomerCommunication.customer == card.id)
    assert (message.subject, message.message, message.recipient) == ("", "", "")
    sales = list(Sale.select().where(Sale.customer == card.id).order_by(Sale.id))
    assert [s.total for s in sales] == [20_000, 5_000] and all(s.void_reason is None for s in sales)
    assert (card.visit_count, card.total_spent, card.first_visit_at, card.last_visit_at) == figures_before
    assert recompute_figures(world.salon, check=True) == []
    about = AuditEvent.select().where((AuditEvent.object_id == str(card.id)) & (AuditEvent.salon == world.salon.id))
    text = json.dumps([e.detail for e in about])
    assert "Aline" not in text and "latex" not in text and "aline@" not in text
    assert AuditEvent.get(AuditEvent.action == "customer.forgotten").detail["sales_kept"] == 2
    card_page = client.get(f"/salons/{world.salon.id}/customers/{card.id}").get_data(as_text=True)
    assert "Aline" not in card_page and "was forgotten" in card_page


def test_a_forgotten_client_is_found_by_no_search_or_export(client, world, login_as):
    customer = _history(world)
    factories.make_customer(world.salon, "Aline Mukamana", phone="0788 999 111")
    client_rights.forget_client(world.salon, customer, confirmed=True)
    login_as("owner")
    base = f"/salons/{world.salon.id}/customers"
    for q in ("", "Aline", "Forgotten", "al", "0788123456", "aline@example.com"):
        html = client.get(base, query_string={"q": q}).get_data(as_text=True)
        assert f"/customers/{customer.id}\"" not in html and "Forgotten client" not in html, q
    export = client.get(base + "/export").get_data(as_text=True)
    assert "Forgotten" not in export and "Aline Mukamana" in export and export.count("\n") == 2
    assert all(option.id != customer.id for option in customer_options(world.salon, ""))
    assert all(option.id != customer.id for option in customer_options(world.salon, "Forgotten"))


def test_api_search_does_not_find_a_forgotten_client(app, world):
    customer = world.customer
    client_rights.forget_client(world.salon, customer, confirmed=True)
    api = api_as(app, world, "owner")
    for query in ({}, {"q": "Forgotten"}, {"q": "aline"}, {"q": "0788123456"}):
        body = api.get(f"/salons/{world.salon.id}/customers", query_string=query).get_json()
        assert "data" in body, body
        assert all(row["id"] != customer.id for row in body["data"])


def test_employees_may_neither_download_nor_forget(client, world, login_as):
    login_as("employee")
    base = f"/salons/{world.salon.id}/customers/{world.customer.id}"
    assert client.get(base + "/data.json").status_code == 403
    assert client.post(base + "/forget", data={"confirm": "yes"}).status_code == 403
    assert "Forget this client" not in client.get(base).get_data(as_text=True)
    assert SalonCustomer.get_by_id(world.customer.id).forgotten_at is None


def test_forgetting_a_card_also_erases_the_cards_merged_into_it(world):
    from salon_web.models import CustomerMerge
    from salon_web.services.customer_create import create_customer
    from salon_web.services.merges import merge_cards

    twin = create_customer(world.salon, {"full_name": "Aline Uwasse", "phone": None, "phone_e164": None,
                                         "email": "twin@example.com", "birthday": None})
    merge_cards(world.salon, twin.id, world.customer.id)
    client_rights.forget_client(world.salon, SalonCustomer.get_by_id(world.customer.id), confirmed=True)
    assert not CustomerMerge.select().exists()
    twin_history = AuditEvent.select().where(AuditEvent.object_id == str(twin.id))
    assert twin_history.count() >= 1 and "twin@" not in json.dumps([e.detail for e in twin_history])


def test_a_forgotten_client_is_not_among_the_top_customers(world):
    from salon_web.services.analytics.figures import top_customers

    customer = _history(world)
    assert [row["id"] for row in top_customers(world.salon)] == [customer.id]
    client_rights.forget_client(world.salon, customer, confirmed=True)
    assert top_customers(world.salon) == []
