"""Bulk tagging: selected rows or all matching the filter, one transaction, audited, salon-scoped."""
from salon_web.models import AuditEvent, CustomerTag, Tag
from tests.list_helpers import make


def tagged(salon, tag_name):
    return {
        ct.customer.full_name
        for ct in CustomerTag.select().join(Tag).where((Tag.salon == salon) & (Tag.name == tag_name))
    }


def test_add_to_selected_and_remove(client, world, login_as):
    bea = make(world.salon, "Béatrice Habimana", days_ago=3)
    claude = make(world.salon, "Claude Mugisha", days_ago=3)
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/bulk-tags"
    response = client.post(url, data={"tag": "Call back", "action": "add", "scope": "selected",
                                      "ids": [bea.id, claude.id], "q": "a"})
    assert response.status_code == 303 and "q=a" in response.headers["Location"]
    assert tagged(world.salon, "Call back") == {"Béatrice Habimana", "Claude Mugisha"}
    client.post(url, data={"tag": "Call back", "action": "add", "scope": "selected", "ids": [bea.id]})  # no-op
    client.post(url, data={"tag": "Call back", "action": "remove", "scope": "selected", "ids": [claude.id]})
    assert tagged(world.salon, "Call back") == {"Béatrice Habimana"}
    events = list(AuditEvent.select().where(AuditEvent.action == "customer.bulk_tags").order_by(AuditEvent.id))
    assert [e.detail["changed"] for e in events] == [2, 0, 1]
    assert events[0].detail["ids"] == [bea.id, claude.id] and events[0].user_id == world.users["owner"].id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "added to 2 customers" in page


def test_all_matching_the_filter(client, world, login_as):
    make(world.salon, "Eric Ingabire", days_ago=100, visits=9, spent=90_000)
    make(world.salon, "Fabrice Uwase", days_ago=100, visits=1, spent=5_000)
    make(world.salon, "Diane Uwimana", days_ago=2, visits=9, spent=90_000)
    login_as("admin")
    response = client.post(f"/salons/{world.salon.id}/customers/bulk-tags", data={
        "tag": "Lapsed VIP", "action": "add", "scope": "all", "days_since_last_visit": "60", "min_visits": "5"})
    assert response.status_code == 303
    assert tagged(world.salon, "Lapsed VIP") == {"Eric Ingabire"}
    event = AuditEvent.get(AuditEvent.action == "customer.bulk_tags")
    assert event.detail["filter"]["days_since_last_visit"] == 60 and event.detail["changed"] == 1


def test_another_salons_customers_are_never_touched(client, world, login_as):
    login_as("owner")
    client.post(f"/salons/{world.salon.id}/customers/bulk-tags", data={
        "tag": "Hijack", "action": "add", "scope": "selected", "ids": [world.other_customer.id, world.customer.id]})
    assert tagged(world.salon, "Hijack") == {"Aline Uwase"}
    assert not CustomerTag.select().where(CustomerTag.customer == world.other_customer).exists()


def test_invalid_requests_change_nothing(client, world, login_as):
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/bulk-tags"
    for data in ({"tag": "", "action": "add", "scope": "all"},
                 {"tag": "X", "action": "explode", "scope": "all"},
                 {"tag": "X", "action": "add", "scope": "selected"},
                 {"tag": "X", "action": "add", "scope": "selected", "ids": "abc"},
                 {"tag": "X", "action": "add", "scope": "all", "min_visits": "-1"}):
        response = client.post(url, data=data)
        assert response.status_code == 422  # the list comes back with the message beside it
        page = response.get_data(as_text=True)
        assert "No tag was changed." in page or "Some filters could not be used." in page
    assert CustomerTag.select().count() == 1  # the world's VIP tag only
    assert not AuditEvent.select().where(AuditEvent.action == "customer.bulk_tags").exists()


def test_employee_may_not_bulk_tag(client, world, login_as):
    login_as("employee")
    response = client.post(f"/salons/{world.salon.id}/customers/bulk-tags",
                           data={"tag": "X", "action": "add", "scope": "all"})
    assert response.status_code == 403
    assert CustomerTag.select().count() == 1


BAD_BULK_FORMS = [
    ({"tag": "x", "ids": "1"}, "action", "Choose to add or remove the tag."),
    ({"action": "paint", "tag": "x", "ids": "1"}, "action", "Choose to add or remove the tag."),
    ({"action": "add", "tag": "   ", "ids": "1"}, "tag", "Enter the tag to add or remove."),
    ({"action": "add", "tag": "x" * 51, "ids": "1"}, "tag", "A tag has at most 50 characters."),
    ({"action": "add", "tag": "x", "scope": "some"}, "scope", "Choose the selected customers or all matching ones."),
    ({"action": "add", "tag": "x", "ids": ["1", "²"]}, "ids", "The selection is not valid. Reload the page and try again."),
    ({"action": "add", "tag": "x"}, "ids", "Select at least one customer, or choose all matching customers."),
    ({"action": "add", "tag": "x", "ids": [str(n) for n in range(1, 502)]}, "ids",
     "Select at most 500 customers, or choose all matching customers."),
]


def test_the_bulk_form_gives_each_bad_field_its_message():
    from salon_web.web_forms.customer_list import bulk_tag_change

    for form, field, message in BAD_BULK_FORMS:
        assert bulk_tag_change(form)[1] == {field: message}, form


def test_the_bulk_form_yields_the_typed_change():
    from salon_web.services.bulk_tags import BulkTagChange
    from salon_web.web_forms.customer_list import bulk_tag_change

    assert bulk_tag_change({"action": "add", "tag": " Call   back ", "ids": ["3", "2", "3"]}) == (
        BulkTagChange("add", "Call back", "selected", (3, 2)), {})
    assert bulk_tag_change({"action": "remove", "tag": "VIP", "scope": "all"}) == (
        BulkTagChange("remove", "VIP", "all", ()), {})
