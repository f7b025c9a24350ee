"""Friendly error pages, small fragments for htmx, 503 when the database is down."""
import pytest
from peewee import OperationalError

from salon_web import create_app
from salon_web.db import bind
from salon_web.extensions import login_manager
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


def test_logged_in_user_gets_the_503_page_when_the_database_fails(client, world, login_as, monkeypatch):
    login_as("owner")

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(login_manager, "_user_callback", unreachable)  # the session's user cannot be loaded
    for headers in ({}, {"HX-Request": "true", "HX-Target": "results"}):
        response = client.get(f"/salons/{world.salon.id}/customers", headers=headers)
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
        assert "Temporarily unavailable" in response.get_data(as_text=True)


@pytest.fixture
def app_without_database(database, tmp_path):
    """An app whose database cannot be opened (SQLite in a missing folder); the session's binding comes back after."""
    url = f"sqlite:///{tmp_path / 'missing' / 'salon.sqlite3'}"
    yield create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret", "ENV": "testing"})
    bind(database)


def test_database_down_is_503_for_pages_fragments_and_api_but_static_files_are_served(app_without_database):
    client = app_without_database.test_client()
    for path, headers in [("/login", {}), ("/salons/1/customers", {"HX-Request": "true", "HX-Target": "results"}),
                          ("/api/v1/salons/1/customers", {"Authorization": "Bearer x"})]:
        response = client.get(path, headers=headers)
        assert response.status_code == 503 and response.headers["Retry-After"] == "30", path
    assert response.headers["Content-Type"] == "application/problem+json"
    with client.get("/static/app.css") as static:
        assert static.status_code == 200
