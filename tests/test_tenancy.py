"""Salon tenancy: membership decides what exists for a user; roles decide what is allowed."""
from salon_web.models import AuditEvent


def test_owner_of_another_salon_gets_404_and_it_is_audited(client, world, login_as):
    login_as("other_owner")
    response = client.get(f"/salons/{world.salon.id}/customers")
    assert response.status_code == 404
    denied = AuditEvent.get(AuditEvent.action == "access.denied")
    assert denied.detail["path"] == f"/salons/{world.salon.id}/customers"


def test_unknown_salon_is_404_even_for_admins(client, world, login_as):
    login_as("admin")
    assert client.get("/salons/999999/customers").status_code == 404


def test_customer_list_shows_only_this_salons_customers(client, world, login_as):
    login_as("admin")
    page = client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    assert "Aline Uwase" in page
    assert "Émilie Martin" not in page


def test_salon_list_shows_members_their_salons_and_admins_all(client, world, login_as):
    login_as("owner")
    page = client.get("/salons").get_data(as_text=True)
    assert "Kigali Glow" in page and "Atelier Lumière" not in page
    client.post("/logout")
    login_as("admin")
    page = client.get("/salons").get_data(as_text=True)
    assert "Kigali Glow" in page and "Atelier Lumière" in page
    page = client.get("/salons?q=Atelier").get_data(as_text=True)
    cards = [line.strip() for line in page.splitlines() if "salon-card__name" in line]
    assert cards == ['<h2 class="salon-card__name">Atelier Lumière</h2>']


def test_admin_switch_changes_current_salon(client, world, login_as):
    login_as("admin")
    response = client.post(f"/salons/{world.other_salon.id}/switch")
    assert response.status_code == 303
    assert client.get("/").headers["Location"] == f"/salons/{world.other_salon.id}/customers"
    page = client.get("/profile").get_data(as_text=True)
    assert "Atelier Lumière" in page  # the top bar shows the current salon on every page


def test_member_cannot_switch_into_a_foreign_salon(client, world, login_as):
    login_as("owner")
    assert client.post(f"/salons/{world.other_salon.id}/switch").status_code == 404
    assert client.get("/").headers["Location"] == f"/salons/{world.salon.id}/customers"


def test_user_without_salons_lands_on_the_salon_list(client, app, world):
    from tests.factories import PASSWORD, make_user

    make_user("lonely@example.com")
    client.post("/login", data={"email": "lonely@example.com", "password": PASSWORD})
    assert client.get("/").headers["Location"] == "/salons"
    assert "not a member of any salon" in client.get("/salons").get_data(as_text=True)
