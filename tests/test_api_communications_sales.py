"""API: communications (consent, status forward only), posting a sale (idempotent), appointment status."""
import datetime

import pytest

from salon_web.models import Appointment, CustomerCommunication, Sale, SalonCustomer, Visit
from salon_web.services.appointments import book_appointment
from salon_web.services.clock import to_utc
from tests.api_helpers import api_as


def _comms(world, salon=None, customer=None):
    return f"/salons/{(salon or world.salon).id}/customers/{(customer or world.customer).id}/communications"


def _book(world, price=15000, customer=None):
    return book_appointment(world.salon, customer=customer or world.customer, service_name="Braids", price=price,
                            scheduled_at=to_utc(datetime.datetime(2026, 3, 14, 10, 0), world.salon.timezone))


def test_record_list_and_move_status(app, world):
    api = api_as(app, world, "employee")
    response = api.post(_comms(world), json={"type": "sms", "purpose": "follow_up", "status": "pending",
                                             "message": "See you soon"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["recipient"] == "+250788123456" and body["sentBy"] == "Emma Employee" and body["status"] == "pending"
    listed = api.get(_comms(world)).json["data"]
    assert [c["id"] for c in listed] == [body["id"]]
    moved = api.post(_comms(world) + f"/{body['id']}/status", json={"status": "delivered"})
    assert moved.status_code == 200 and moved.json["status"] == "delivered"
    back = api.post(_comms(world) + f"/{body['id']}/status", json={"status": "sent"})
    assert back.status_code == 422 and back.json["errors"][0]["field"] == "status"
    assert CustomerCommunication.get_by_id(body["id"]).status == "delivered"


def test_marketing_without_consent_is_refused(app, world):
    api = api_as(app, world, "owner")
    response = api.post(_comms(world), json={"type": "sms", "purpose": "marketing", "message": "Promo"})
    assert response.status_code == 422 and "consent" in response.json["detail"]
    assert CustomerCommunication.select().count() == 0
    missing = api.post(_comms(world), json={"type": "email", "purpose": "other"})
    assert missing.status_code == 422 and "message" in [e["field"] for e in missing.json["errors"]]


def test_communications_of_another_salon_are_404(app, world):
    other = CustomerCommunication.create(salon=world.other_salon, customer=world.other_customer, type="phone",
                                         purpose="other", status="sent")
    api = api_as(app, world, "owner")
    assert api.get(_comms(world, world.salon, world.other_customer)).status_code == 404
    assert api.post(_comms(world) + f"/{other.id}/status", json={"status": "delivered"}).status_code == 404
    assert api.post(_comms(world) + f"/{2**40}/status", json={"status": "delivered"}).status_code == 404
    assert api_as(app, world, "other_owner").get(_comms(world)).status_code == 404


def test_post_sale_records_the_visit(app, world):
    api = api_as(app, world, "employee")
    response = api.post(f"/salons/{world.salon.id}/sales", json={
        "customerId": world.customer.id,
        "items": [{"description": "Cut", "quantity": 1, "unitPrice": 8000},
                  {"description": "Oil", "quantity": 2, "unitPrice": 1500}]})
    assert response.status_code == 201, response.json
    assert response.json["total"] == 11000 and len(response.json["items"]) == 2
    customer = SalonCustomer.get_by_id(world.customer.id)
    assert (customer.visit_count, customer.total_spent) == (1, 11000)


def test_sale_retry_with_the_same_key_is_done_once(app, world):
    api = api_as(app, world, "owner")
    body = {"customerId": world.customer.id, "items": [{"description": "Braids", "unitPrice": 20000}]}
    first = api.post(f"/salons/{world.salon.id}/sales", json=body, headers={"Idempotency-Key": "till-42"})
    again = api.post(f"/salons/{world.salon.id}/sales", json=body, headers={"Idempotency-Key": "till-42"})
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert Sale.select().count() == 1 and Visit.select().count() == 1
    assert Sale.get().idempotency_key == "till-42"  # the sale's own key: other transports agree
    changed = api.post(f"/salons/{world.salon.id}/sales", json={**body, "items": [{"description": "Braids",
                                                                                  "unitPrice": 1}]},
                       headers={"Idempotency-Key": "till-42"})
    assert changed.status_code == 422 and Sale.select().count() == 1
    assert SalonCustomer.get_by_id(world.customer.id).total_spent == 20000


def test_a_sale_key_used_by_another_user_is_422_not_their_sale(app, world):
    body = {"customerId": world.customer.id, "items": [{"description": "Braids", "unitPrice": 20000}]}
    path = f"/salons/{world.salon.id}/sales"
    first = api_as(app, world, "owner").post(path, json=body, headers={"Idempotency-Key": "till-7"})
    assert first.status_code == 201
    second = api_as(app, world, "employee").post(path, json=body, headers={"Idempotency-Key": "till-7"})
    assert second.status_code == 422 and second.headers["Content-Type"] == "application/problem+json"
    assert second.json["errors"][0]["field"] == "Idempotency-Key" and "id" not in second.json
    assert Sale.select().count() == 1 and SalonCustomer.get_by_id(world.customer.id).total_spent == 20000


def test_a_sale_for_a_cancelled_appointment_with_a_key_is_422(app, world):
    appointment = _book(world)
    Appointment.update(status="cancelled").where(Appointment.id == appointment.id).execute()
    api = api_as(app, world, "owner")
    for _ in range(2):  # the refusal is the key's recorded answer
        response = api.post(f"/salons/{world.salon.id}/sales", headers={"Idempotency-Key": "till-8"}, json={
            "appointmentId": appointment.id, "items": [{"description": "Braids", "unitPrice": 18000}]})
        assert response.status_code == 422 and response.json["errors"][0]["field"] == "appointment"
    assert Sale.select().count() == 0


def test_a_failed_attempt_leaves_its_key_free(app, world, monkeypatch):
    body = {"customerId": world.customer.id, "items": [{"description": "Braids", "unitPrice": 20000}]}
    api = api_as(app, world, "owner")
    with monkeypatch.context() as patch:
        patch.setattr("salon_web.services.visits.ledger_changed", _raise_lost_connection)
        failed = api.post(f"/salons/{world.salon.id}/sales", json=body, headers={"Idempotency-Key": "till-9"})
    assert failed.status_code == 503 and failed.headers["Retry-After"]
    retry = api.post(f"/salons/{world.salon.id}/sales", json=body, headers={"Idempotency-Key": "till-9"})
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert Sale.select().count() == 1 and SalonCustomer.get_by_id(world.customer.id).total_spent == 20000


def _raise_lost_connection(*args, **kwargs):
    from peewee import OperationalError

    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("body, field", [
    ({"items": [{"description": "x", "unitPrice": 1}]}, "customerId"),
    ({"customerId": 2**31, "items": [{"description": "x", "unitPrice": 1}]}, "customerId"),
    ({"customerId": "CUSTOMER", "items": []}, "items"),
    ({"customerId": "CUSTOMER", "items": [{"description": "x", "unitPrice": -1}]}, "items.0.unitPrice"),
    ({"customerId": "CUSTOMER", "items": [{"description": "x", "unitPrice": 1}], "total": 5}, "total"),
    ({"customerId": "CUSTOMER", "items": [{"description": "x", "unitPrice": 1}], "soldAt": "2999-01-01T00:00:00Z"},
     "soldAt"),
    ({"customerId": "CUSTOMER", "items": [{"description": "x", "unitPrice": 1}], "soldAt": "0001-01-01T00:00:00Z"},
     "soldAt"),
    ({"customerId": "OTHER", "items": [{"description": "x", "unitPrice": 1}]}, "customerId"),
    ({"customerId": True, "items": [{"description": "x", "unitPrice": 1}]}, "customerId"),
    ({"customerId": "CUSTOMER", "items": [{"description": "x", "unitPrice": "5"}]}, "items.0.unitPrice"),
])
def test_sale_validation(app, world, body, field):
    ids = {"CUSTOMER": world.customer.id, "OTHER": world.other_customer.id}
    body = {k: ids.get(v, v) if k == "customerId" and isinstance(v, str) else v for k, v in body.items()}
    response = api_as(app, world, "owner").post(f"/salons/{world.salon.id}/sales", json=body)
    assert response.status_code == 422, response.json
    assert field in [e["field"] for e in response.json["errors"]]
    assert Sale.select().count() == 0


def test_sale_linked_to_an_appointment_completes_it(app, world):
    appointment = _book(world)
    response = api_as(app, world, "owner").post(f"/salons/{world.salon.id}/sales", json={
        "appointmentId": appointment.id, "items": [{"description": "Braids", "unitPrice": 18000}]})
    assert response.status_code == 201 and response.json["customerId"] == world.customer.id
    assert Appointment.get_by_id(appointment.id).status == "completed"
    assert SalonCustomer.get_by_id(world.customer.id).visit_count == 1


def test_appointment_status(app, world):
    appointment = _book(world, price=12000)
    api = api_as(app, world, "employee")
    path = f"/salons/{world.salon.id}/appointments/{appointment.id}/status"
    done = api.post(path, json={"status": "completed"})
    assert done.status_code == 200 and done.json["status"] == "completed" and done.json["completedAt"]
    assert SalonCustomer.get_by_id(world.customer.id).total_spent == 12000
    assert api.post(path, json={"status": "scheduled"}).status_code in (200, 422)
    assert api.post(path, json={"status": "done"}).status_code == 422


def test_forbidden_transition_and_foreign_appointment(app, world):
    appointment = _book(world)
    api = api_as(app, world, "owner")
    path = f"/salons/{world.salon.id}/appointments/{appointment.id}/status"
    assert api.post(path, json={"status": "cancelled"}).status_code == 200
    refused = api.post(path, json={"status": "completed"})
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "status"
    other_customer = world.other_customer
    other = book_appointment(world.other_salon, customer=other_customer, service_name="Coupe", price=3000,
                             scheduled_at=datetime.datetime(2026, 3, 14, 9, 0))
    assert api.post(f"/salons/{world.salon.id}/appointments/{other.id}/status",
                    json={"status": "confirmed"}).status_code == 404
    assert Appointment.get_by_id(other.id).status == "scheduled"
    assert api_as(app, world, "other_owner").post(path, json={"status": "confirmed"}).status_code == 404
