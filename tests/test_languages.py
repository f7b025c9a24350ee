"""Which language a page speaks: the user's choice, else the browser's, else the salon's; only words change."""
from datetime import datetime

import pytest

from salon_web.models import User
from tests.analytics_data import customer_with_visits


def test_the_login_page_follows_the_browser(client):
    assert 'lang="fr"' in client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "de, en;q=0.5"}).get_data(as_text=True)


def test_a_user_choice_beats_the_browser_and_can_be_undone(client, world, login_as):
    login_as("owner")
    response = client.post("/profile/language", data={"language": "fr"}, headers={"Accept-Language": "en"})
    assert response.status_code in (302, 303)
    assert User.get_by_id(world.users["owner"].id).language == "fr"
    page = client.get("/profile", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="fr"' in page and "Enregistrer la langue" in page
    client.post("/profile/language", data={"language": ""})
    assert User.get_by_id(world.users["owner"].id).language is None
    assert "Save language" in client.get("/profile", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_an_unknown_language_is_refused_beside_the_field(client, world, login_as):
    login_as("owner")
    response = client.post("/profile/language", data={"language": "xx"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert User.get_by_id(world.users["owner"].id).language is None


def test_without_a_choice_or_a_browser_language_the_salon_default_speaks(client, world, login_as):
    world.salon.language = "rw"
    world.salon.save()
    login_as("owner")
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    page = client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    assert 'lang="rw"' in page


@pytest.mark.parametrize(("language", "amount", "day"), [
    ("en", "RWF 15,000", "10 Jan 2026"),
    ("fr", "15\u202f000\u00a0RWF", "10 janv. 2026"),
])
def test_a_language_switch_changes_words_and_formats_only(client, world, login_as, language, amount, day):
    customer = customer_with_visits(world.salon, "Aline Uwase", [(datetime(2026, 1, 10, 9, 0), 15000)])
    login_as("owner")
    client.post("/profile/language", data={"language": language})
    page = client.get(f"/salons/{world.salon.id}/customers/{customer.id}").get_data(as_text=True)
    assert "Aline Uwase" in page and amount in page and day in page
