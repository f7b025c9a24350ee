"""Saved segments: owners save the current filter, everyone sees the links, rename and delete."""
from salon_web.models import SavedSegment
from tests import factories


def test_owner_saves_a_filter_and_everyone_sees_it(client, world, login_as):
    login_as("owner")
    response = client.post(f"/salons/{world.salon.id}/segments", data={
        "name": "  Lapsed   VIPs ", "query": "tags=VIP&days_since_last_visit=60&cursor=abc&page=3"})
    assert response.status_code == 303
    segment = SavedSegment.get()
    assert segment.name == "Lapsed VIPs" and segment.query == "tags=VIP&days_since_last_visit=60"
    assert response.headers["Location"].endswith("?tags=VIP&days_since_last_visit=60")
    login_as("employee")
    page = client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    assert "Lapsed VIPs" in page and "?tags=VIP&amp;days_since_last_visit=60" in page
    listing = client.get(f"/salons/{world.salon.id}/segments").get_data(as_text=True)
    assert "Lapsed VIPs" in listing and "Rename" not in listing


def test_segments_stay_in_their_salon(client, world, login_as):
    foreign = SavedSegment.create(salon=world.other_salon, name="Paris regulars", query="tags=Regular")
    login_as("owner")
    assert "Paris regulars" not in client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    assert client.post(f"/salons/{world.salon.id}/segments/{foreign.id}/rename", data={"name": "x"}).status_code == 404
    assert client.post(f"/salons/{world.salon.id}/segments/{foreign.id}/delete").status_code == 404
    assert SavedSegment.get_by_id(foreign.id).name == "Paris regulars"


def test_invalid_segments_are_refused_with_a_message(client, world, login_as):
    SavedSegment.create(salon=world.salon, name="Taken", query="min_visits=3")
    login_as("owner")
    url = f"/salons/{world.salon.id}/segments"
    for data, message in (
        ({"name": "", "query": "min_visits=3"}, "Give the segment a name"),
        ({"name": "Taken", "query": "min_visits=4"}, "exists already"),
        ({"name": "All", "query": ""}, "Set a search or a filter first"),
        ({"name": "Bad", "query": "min_visits=-2"}, "invalid values"),
        ({"name": "x" * 101, "query": "min_visits=1"}, "at most 100"),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert SavedSegment.select().count() == 1


def test_rename_and_delete(client, world, login_as):
    segment = SavedSegment.create(salon=world.salon, name="Old", query="min_visits=3")
    SavedSegment.create(salon=world.salon, name="Other", query="min_visits=4")
    login_as("owner")
    base = f"/salons/{world.salon.id}/segments/{segment.id}"
    assert client.post(f"{base}/rename", data={"name": "Other"}).status_code == 422
    assert client.post(f"{base}/rename", data={"name": "Regulars"}).status_code == 303
    assert SavedSegment.get_by_id(segment.id).name == "Regulars"
    assert client.post(f"{base}/delete").status_code == 303
    assert SavedSegment.get_or_none(SavedSegment.id == segment.id) is None


def test_employee_cannot_change_segments(client, world, login_as):
    segment = SavedSegment.create(salon=world.salon, name="Keep", query="min_visits=3")
    login_as("employee")
    assert client.post(f"/salons/{world.salon.id}/segments", data={"name": "x", "query": "q=a"}).status_code == 403
    assert client.post(f"/salons/{world.salon.id}/segments/{segment.id}/delete").status_code == 403
    assert SavedSegment.select().count() == 1
    factories.make_customer(world.salon, "Someone")
