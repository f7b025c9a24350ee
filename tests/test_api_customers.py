"""API: customer list (HTML and original parameter names), create, export and analytics."""
import datetime

import pytest

from salon_web.models import AuditEvent, SalonCustomer
from tests import factories
from tests.api_helpers import api_as


@pytest.fixture
def crowd(world):
    """Five more customers of the salon with figures, one tagged Regular."""
    made = []
    for index, (name, visits, spent) in enumerate([("Bella Ineza", 5, 500_000), ("Claude Mugisha", 1, 20_000),
                                                   ("Diane Keza", 3, 90_000), ("Eric Habimana", 0, 0),
                                                   ("Fiona Uwera", 8, 1_200_000)]):
        customer = factories.make_customer(world.salon, name, phone=f"0788 000 10{index}",
                                           tags=["Regular"] if name.startswith("D") else [])
        last = datetime.datetime(2026, 1, 1) - datetime.timedelta(days=30 * index) if visits else None
        SalonCustomer.update(visit_count=visits, total_spent=spent, last_visit_at=last, first_visit_at=last).where(
            SalonCustomer.id == customer.id).execute()
        made.append(customer)
    return made


def test_list_with_html_parameters(app, world, crowd):
    api = api_as(app, world, "owner")
    response = api.get(f"/salons/{world.salon.id}/customers?sort=total_spent&order=desc&per_page=2&min_visits=1")
    assert response.status_code == 200, response.json
    body = response.json
    assert [c["fullName"] for c in body["data"]] == ["Fiona Uwera", "Bella Ineza"]
    assert body["total"] == 4 and body["totalPages"] == 2 and body["page"] == 1 and body["limit"] == 2
    first = body["data"][0]
    assert first["totalSpent"] == 1_200_000 and first["currency"] == "RWF" and first["visitCount"] == 8
    assert set(first) == {"id", "fullName", "phone", "email", "birthday", "visitCount", "totalSpent", "currency",
                          "firstVisitAt", "lastVisitAt", "tags", "followUpOn"}
    following = api.get(f"/salons/{world.salon.id}/customers?sort=total_spent&order=desc&per_page=2&min_visits=1"
                        f"&cursor={body['nextCursor']}").json
    assert [c["fullName"] for c in following["data"]] == ["Diane Keza", "Claude Mugisha"]
    assert following["page"] is None and following["nextCursor"] is None


def test_list_with_original_parameter_names(app, world, crowd):
    api = api_as(app, world, "employee")
    body = api.get(f"/salons/{world.salon.id}/customers?sortBy=visitCount&sortOrder=ASC&minVisits=1&limit=10"
                   "&minSpent=50000").json
    assert [c["fullName"] for c in body["data"]] == ["Diane Keza", "Bella Ineza", "Fiona Uwera"]
    tagged = api.get(f"/salons/{world.salon.id}/customers?tags=Regular,VIP").json
    assert sorted(c["fullName"] for c in tagged["data"]) == ["Aline Uwase", "Diane Keza"]
    page_two = api.get(f"/salons/{world.salon.id}/customers?sortBy=name&limit=2&page=2").json
    assert [c["fullName"] for c in page_two["data"]] == ["Claude Mugisha", "Diane Keza"]
    assert page_two["page"] == 2 and page_two["total"] == 6 and page_two["totalPages"] == 3
    assert api.get(f"/salons/{world.salon.id}/customers?search=fiona").json["total"] == 1


def test_list_total_is_exact_past_the_html_cap(app, world, monkeypatch):
    from salon_web.services import customer_page

    monkeypatch.setattr(customer_page, "COUNT_CAP", 2)
    for index in range(4):
        factories.make_customer(world.salon, f"Extra {index}")
    body = api_as(app, world, "owner").get(f"/salons/{world.salon.id}/customers?limit=1").json
    assert body["total"] == 5 and body["totalPages"] == 5


@pytest.mark.parametrize("query, field", [("tags=Nope", "tags"), ("sortBy=age", "sortBy"), ("limit=500", "limit"),
                                          ("minSpent=abc", "minSpent"), ("cursor=zzz", "cursor"),
                                          ("q=a%00b", "q"), ("unknown=1", "unknown")])
def test_list_refuses_bad_parameters_with_field_errors(app, world, query, field):
    response = api_as(app, world, "owner").get(f"/salons/{world.salon.id}/customers?{query}")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json["errors"]]


def test_list_never_shows_another_salon(app, world):
    api = api_as(app, world, "owner")
    body = api.get(f"/salons/{world.salon.id}/customers?q=Émilie").json
    assert body["total"] == 0
    assert api.get(f"/salons/{world.other_salon.id}/customers").status_code == 404
    assert api.get(f"/salons/{2**40}/customers").status_code == 404
    assert api_as(app, world, "admin").get(f"/salons/{world.other_salon.id}/customers").json["total"] == 1


def test_create_customer(app, world):
    api = api_as(app, world, "employee")
    response = api.post(f"/salons/{world.salon.id}/customers",
                        json={"fullName": "  Grace  Mukamana ", "phone": "0788 555 111", "birthday": "1991-04-02"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["fullName"] == "Grace Mukamana" and body["phone"] == "0788 555 111" and body["visitCount"] == 0
    assert body["version"] >= 1 and body["tags"] == []
    assert SalonCustomer.get_by_id(body["id"]).salon_id == world.salon.id
    assert AuditEvent.select().where(AuditEvent.action == "customer.created").count() == 1


def test_create_refuses_a_duplicate_naming_only_this_salons_matches(app, world):
    factories.make_customer(world.other_salon, "Same Person", email="same@example.com")
    api = api_as(app, world, "owner")
    response = api.post(f"/salons/{world.salon.id}/customers", json={"fullName": "A. Uwase", "phone": "+250788123456"})
    assert response.status_code == 409
    assert [e["field"] for e in response.json["errors"]] == ["phone"]
    assert str(world.customer.id) in response.json["errors"][0]["message"]
    shared = api.post(f"/salons/{world.salon.id}/customers", json={"fullName": "Same", "email": "same@example.com"})
    assert shared.status_code == 201  # the other salon's record is neither found nor revealed


@pytest.mark.parametrize("body, field", [({"fullName": ""}, "fullName"), ({"fullName": "X", "visitCount": 3}, "visitCount"),
                                         ({"fullName": "X", "birthday": "2999-01-01"}, "birthday"),
                                         ({"fullName": "X", "phone": "12"}, "phone"),
                                         ({"fullName": "X\u0000"}, "fullName")])
def test_create_validates_fields(app, world, body, field):
    response = api_as(app, world, "owner").post(f"/salons/{world.salon.id}/customers", json=body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json["errors"]]
    assert SalonCustomer.select().where(SalonCustomer.salon == world.salon).count() == 1


def test_create_is_idempotent_with_a_key(app, world):
    api = api_as(app, world, "owner")
    body = {"fullName": "Henri Nkurunziza", "phone": "0788 777 000"}
    first = api.post(f"/salons/{world.salon.id}/customers", json=body, headers={"Idempotency-Key": "k-1"})
    again = api.post(f"/salons/{world.salon.id}/customers", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert SalonCustomer.select().where(SalonCustomer.full_name == "Henri Nkurunziza").count() == 1
    other = api.post(f"/salons/{world.salon.id}/customers", json={**body, "fullName": "Other"},
                     headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json["errors"][0]["field"] == "Idempotency-Key"


def test_export_is_for_managers_and_audited(app, world, crowd):
    assert api_as(app, world, "employee").get(f"/salons/{world.salon.id}/customers/export").status_code == 403
    response = api_as(app, world, "owner").get(f"/salons/{world.salon.id}/customers/export?tags=Regular")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert "Diane Keza" in text and "Fiona Uwera" not in text
    assert AuditEvent.select().where(AuditEvent.action == "customer.export").count() == 1
    assert api_as(app, world, "admin").get(f"/salons/{world.salon.id}/customers/export").status_code == 200
    assert api_as(app, world, "owner").get(f"/salons/{world.salon.id}/customers/export?sortBy=x").status_code == 422


def test_analytics_keeps_the_original_keys(app, world, crowd):
    assert api_as(app, world, "employee").get(f"/salons/{world.salon.id}/customers/analytics").status_code == 403
    body = api_as(app, world, "owner").get(f"/salons/{world.salon.id}/customers/analytics").json
    for key in ("totalCustomers", "activeCustomers", "newCustomers", "churnedCustomers", "averageCLV",
                "averageVisitFrequency", "topCustomers"):
        assert key in body
    assert body["totalCustomers"] == 6
    assert body["averageCLV"] == round((500_000 + 20_000 + 90_000 + 1_200_000) / 4)
    assert body["averageVisitFrequency"] == pytest.approx(17 / 4)
    assert [c["fullName"] for c in body["topCustomers"]][:2] == ["Fiona Uwera", "Bella Ineza"]
    assert api_as(app, world, "other_owner").get(f"/salons/{world.salon.id}/customers/analytics").status_code == 404
