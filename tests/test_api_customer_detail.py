"""API: one customer, its update with the version check, tags and timeline."""
import datetime

import pytest

from salon_web.models import AuditEvent, SalonCustomer
from salon_web.services.clock import local_today
from tests.api_helpers import api_as


def _path(world, suffix=""):
    return f"/salons/{world.salon.id}/customers/{world.customer.id}{suffix}"


@pytest.mark.parametrize("role, status", [("owner", 200), ("employee", 200), ("admin", 200), ("other_owner", 404)])
def test_get_customer_per_role(app, world, role, status):
    response = api_as(app, world, role).get(_path(world))
    assert response.status_code == status
    if status == 200:
        body = response.json
        assert body["fullName"] == "Aline Uwase" and body["tags"] == ["VIP"] and body["currency"] == "RWF"
        assert {"averageTicket", "usualIntervalDays", "preferences", "communicationPreferences", "marketingConsent",
                "version", "notes", "followUpOn"} <= set(body)
        assert "salonId" not in body and "identity" not in body and "nameSearch" not in body


def test_another_salons_customer_is_404(app, world):
    api = api_as(app, world, "owner")
    assert api.get(f"/salons/{world.salon.id}/customers/{world.other_customer.id}").status_code == 404
    assert api.patch(f"/salons/{world.salon.id}/customers/{world.other_customer.id}",
                     json={"version": 1, "notes": "x"}).status_code == 404
    assert api.post(f"/salons/{world.salon.id}/customers/{world.other_customer.id}/tags",
                    json={"tag": "x"}).status_code == 404
    assert api.get(f"/salons/{world.salon.id}/customers/{2**40}").status_code == 404
    assert SalonCustomer.get_by_id(world.other_customer.id).notes in ("", None)


def test_patch_updates_named_fields(app, world):
    api = api_as(app, world, "employee")
    version = api.get(_path(world)).json["version"]
    follow_up = (local_today(world.salon.timezone) + datetime.timedelta(days=10)).isoformat()
    response = api.patch(_path(world), json={
        "version": version, "notes": "Prefers mornings", "birthday": "1990-05-21", "followUpOn": follow_up,
        "preferences": {"allergies": "Latex", "preferredDays": ["sat", "mon"], "extra": {"drink": "tea"},
                        "preferredEmployee": world.users["employee"].id},
        "communicationPreferences": ["sms"], "marketingConsent": True})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["notes"] == "Prefers mornings" and body["birthday"] == "1990-05-21" and body["followUpOn"] == follow_up
    assert body["preferences"]["allergies"] == "Latex" and body["preferences"]["preferredDays"] == ["mon", "sat"]
    assert body["preferences"]["extra"] == {"drink": "tea"}
    assert body["communicationPreferences"] == ["sms"] and body["marketingConsent"] is True
    assert body["version"] == version + 1
    event = AuditEvent.get(AuditEvent.action == "customer.updated")
    assert set(event.detail["fields"]) >= {"notes", "birthday", "follow_up_on", "preferences"}


def test_patch_keeps_omitted_fields_and_clears_with_null(app, world):
    api = api_as(app, world, "owner")
    version = api.get(_path(world)).json["version"]
    body = api.patch(_path(world), json={"version": version, "notes": "Keep", "birthday": "1990-05-21"}).json
    body = api.patch(_path(world), json={"version": body["version"], "birthday": None}).json
    assert body["notes"] == "Keep" and body["birthday"] is None


def test_patch_with_a_stale_version_is_409(app, world):
    api = api_as(app, world, "owner")
    version = api.get(_path(world)).json["version"]
    assert api.patch(_path(world), json={"version": version, "notes": "first"}).status_code == 200
    stale = api.patch(_path(world), json={"version": version, "notes": "second"})
    assert stale.status_code == 409 and stale.headers["Content-Type"] == "application/problem+json"
    assert SalonCustomer.get_by_id(world.customer.id).notes == "first"


@pytest.mark.parametrize("body, field", [
    ({"notes": "x"}, "version"),
    ({"version": 1, "visitCount": 99}, "visitCount"),
    ({"version": 1, "totalSpent": 5}, "totalSpent"),
    ({"version": 1, "fullName": "Renamed"}, "fullName"),
    ({"version": 1, "birthday": "2999-01-01"}, "birthday"),
    ({"version": 1, "followUpOn": "1999-01-01"}, "followUpOn"),
    ({"version": 1, "followUpOn": "10000-01-01"}, "followUpOn"),
    ({"version": 1, "preferences": {"preferredEmployee": 2**31 - 1}}, "preferences.preferredEmployee"),
    ({"version": 1, "preferences": {"preferredEmployee": 2**31}}, "preferences.preferredEmployee"),
    ({"version": 1, "communicationPreferences": ["fax"]}, "communicationPreferences.0"),
    ({"version": 1, "notes": "a\u0000b"}, "notes"),
])
def test_patch_refuses_unknown_or_invalid_fields(app, world, body, field):
    before = SalonCustomer.get_by_id(world.customer.id)
    response = api_as(app, world, "owner").patch(_path(world), json=body)
    assert response.status_code == 422, response.json
    assert field in [e["field"] for e in response.json["errors"]]
    after = SalonCustomer.get_by_id(world.customer.id)
    assert (after.version, after.visit_count, after.full_name) == (before.version, before.visit_count, before.full_name)


def test_tags_add_and_remove(app, world):
    api = api_as(app, world, "employee")
    added = api.post(_path(world, "/tags"), json={"tags": ["Regular", " Birthday  Club "]})
    assert added.status_code == 200 and added.json["tags"] == ["Birthday Club", "Regular", "VIP"]
    assert api.post(_path(world, "/tags"), json={"tag": "x" * 51}).status_code == 422
    removed = api.delete(_path(world, "/tags"), json={"tag": "VIP"})
    assert removed.status_code == 200 and removed.json["tags"] == ["Birthday Club", "Regular"]
    assert AuditEvent.select().where(AuditEvent.action == "customer.tags").count() == 3
    again = api.post(_path(world, "/tags"), json={"tag": "Regular"}, headers={"Idempotency-Key": "t1"})
    replay = api.post(_path(world, "/tags"), json={"tag": "Regular"}, headers={"Idempotency-Key": "t1"})
    assert again.json == replay.json and replay.headers["Idempotent-Replayed"] == "true"


def test_timeline_pages_with_a_cursor_and_filters_by_kind(app, world):
    api = api_as(app, world, "owner")
    for name in ("A", "B", "C"):
        api.post(_path(world, "/tags"), json={"tag": name})
    first = api.get(_path(world, "/timeline?limit=2")).json
    assert len(first["data"]) == 2 and first["nextCursor"]
    assert all(event["kind"] == "edit" for event in first["data"])
    rest = api.get(_path(world, f"/timeline?limit=10&cursor={first['nextCursor']}")).json
    ids = [e["id"] for e in first["data"]] + [e["id"] for e in rest["data"]]
    assert len(ids) == len(set(ids)) and rest["nextCursor"] is None
    assert api.get(_path(world, "/timeline?kind=sale")).json["data"] == []
    assert api.get(_path(world, "/timeline?kind=nope")).status_code == 422
    assert api.get(_path(world, "/timeline?cursor=20260101T000000000000.9.1")).status_code == 422
