"""Every free-text field of the card, timeline and communications renders inert."""
import datetime
import re

import pytest

from salon_web.models import Appointment, AuditEvent, CustomerCommunication, Sale, SaleItem, SalonCustomer
from salon_web.services.customer_edit import widget_basis
from tests import factories

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "</textarea><script>alert(2)</script>",
    "{{ 7*7 }}",
]
RAW_MARKERS = ["<script>alert", "<img src=x", "<svg onload", "onmouseover='alert", "</textarea><script"]


def assert_inert(page):
    for marker in RAW_MARKERS:
        assert marker not in page, marker
    assert not re.search(r"""(href|src|action|hx-get|hx-post)\s*=\s*["']?\s*javascript:""", page, re.I)
    assert "49" not in re.findall(r">\s*(49)\s*<", page)  # no template evaluation of user text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_customer_fields_render_inert(client, world, login_as, payload):
    customer = world.customer
    SalonCustomer.update(
        full_name=payload, phone=payload, notes=payload,
        preferences={"allergies": payload, "special_requests": payload, "preferred_times": payload,
                     payload: payload},
    ).where(SalonCustomer.id == customer.id).execute()
    factories.make_customer(world.salon, "Tagged", tags=[payload[:50]])
    from salon_web.services.customers import add_tag, ensure_tag

    add_tag(customer, ensure_tag(world.salon, payload[:50]))
    sale = Sale.create(salon=world.salon, customer=customer, total=100, status="voided", sold_at=datetime.datetime(2026, 1, 1),
                       voided_at=datetime.datetime(2026, 1, 2), void_reason=payload)
    SaleItem.create(salon=world.salon, sale=sale, description=payload[:200], quantity=1, unit_price=100)
    Appointment.create(salon=world.salon, customer=customer, service_name=payload, price=0,
                       scheduled_at=datetime.datetime(2026, 1, 3), status="cancelled")
    CustomerCommunication.create(salon=world.salon, customer=customer, type="in_app", purpose="other",
                                 subject=payload, message=payload, recipient=payload)
    AuditEvent.create(salon=world.salon, action="customer.updated", object_type="customer", object_id=str(customer.id),
                      detail={"widget": "notes", "fields": ["notes"], "before": {"notes": payload}, "after": {"notes": payload}})
    login_as("employee")
    base = f"/salons/{world.salon.id}/customers/{customer.id}"
    for path in (base, f"{base}/timeline", f"{base}/communications"):
        page = client.get(path).get_data(as_text=True)
        assert_inert(page)
    assert "&lt;script&gt;" in client.get(base).get_data(as_text=True) or "<script" not in payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_forms_echoing_input_render_inert(client, world, login_as, payload):
    login_as("owner")
    base = f"/salons/{world.salon.id}/customers/{world.customer.id}"
    customer = SalonCustomer.get_by_id(world.customer.id)
    pages = [
        client.post(f"/salons/{world.salon.id}/customers/new",
                    data={"full_name": payload, "phone": payload, "email": payload, "birthday": payload}),
        client.post(f"{base}/contact", data={"version": customer.version, "basis": widget_basis(customer, "contact"),
                                             "full_name": "", "phone": payload, "email": payload, "birthday": payload}),
        client.post(f"{base}/preferences", data={"version": customer.version, "basis": widget_basis(customer, "preferences"),
                                                 "preferred_employee": payload, "extra_key": [payload, payload],
                                                 "extra_value": [payload, payload]}),
        client.post(f"{base}/follow-up", data={"version": customer.version, "follow_up_on": payload}),
        client.post(f"{base}/tags", data={"tag": payload * 10}),
        client.post(f"{base}/communications", data={"type": "email", "purpose": "other", "recipient": payload,
                                                    "subject": payload, "message": payload}),
        client.get(f"{base}/communications", query_string={"type": "in_app", "subject": payload, "message": payload},
                   headers={"HX-Request": "true", "HX-Target": "communication-form"}),
    ]
    for response in pages:
        assert response.status_code in (200, 422), response.status_code
        assert_inert(response.get_data(as_text=True))


def test_no_safe_filter_on_user_data_in_templates():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    templates = list(root.rglob("*.html"))
    assert len(templates) > 20  # every folder, not only the card's
    for template in templates:
        assert "|safe" not in template.read_text().replace(" ", ""), template
