"""Friendly error pages, small fragments for htmx, 503 when the database is down."""
import pytest
from peewee import OperationalError

from salon_web.models import Salon


def test_404_page_is_friendly(client, login_as):
    login_as("owner")
    response = client.get("/no/such/page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Not found" in page and "Traceback" not in page and "<html" in page


def test_htmx_errors_get_a_fragment(client, login_as):
    login_as("owner")
    response = client.get("/no/such/page", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<html" not in page and 'class="error-message' in page


def test_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Not allowed here" in response.get_data(as_text=True)


@pytest.mark.parametrize("status", [400, 403, 422, 429, 500])
def test_each_status_has_a_page(app, status):
    from salon_web.errors import render_error

    with app.test_request_context("/"):
        body, code, _ = render_error(status)
    assert code == status and "Error" in body and "Traceback" not in body


def test_unexpected_error_is_a_friendly_500(client, login_as, monkeypatch):
    login_as("owner")

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("salon_web.views.salons.salons_for", explode)
    response = client.get("/salons")
    assert response.status_code == 500
    assert "boom" not in response.get_data(as_text=True)
    assert "Something went wrong" in response.get_data(as_text=True)


def test_database_unreachable_is_503_with_retry_after(client, login_as, monkeypatch):
    login_as("owner")

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(Salon, "select", unreachable)
    response = client.get("/salons")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in response.get_data(as_text=True)


def test_nul_bytes_are_a_clear_400_not_a_database_error(client, world, login_as):
    login_as("owner")
    response = client.get(f"/salons/{world.salon.id}/customers?q=a%00b")
    assert response.status_code == 400
    assert "cannot hold" in response.get_data(as_text=True)
    response = client.post(f"/salons/{world.salon.id}/customers/new", data={"full_name": "A\x00B"})
    assert response.status_code == 400
