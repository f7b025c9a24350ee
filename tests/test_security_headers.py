"""Security defaults on every response."""
import pytest


@pytest.fixture
def owner_page(client, world, login_as):
    login_as("owner")
    return client.get(f"/salons/{world.salon.id}/customers")


def test_csp_forbids_inline_code_objects_and_framing(owner_page):
    csp = owner_page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_other_headers(owner_page):
    assert owner_page.headers["X-Content-Type-Options"] == "nosniff"
    assert owner_page.headers["Referrer-Policy"] == "same-origin"
    assert owner_page.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in owner_page.headers["Vary"]


def test_pages_have_no_inline_script_or_style(owner_page):
    page = owner_page.get_data(as_text=True)
    assert "<script>" not in page and "<style" not in page and " style=" not in page
    assert "https://" not in page  # nothing from a CDN


def test_htmx_is_configured_once_in_a_meta_tag(owner_page):
    page = owner_page.get_data(as_text=True)
    assert page.count('name="htmx-config"') == 1
    for setting in ('"historyCacheSize":0', '"allowEval":false', '"includeIndicatorStyles":false', '{"code":"422","swap":true}'):
        assert setting in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert "/static/vendor/htmx-2.0.11.min.js" in page


def test_session_cookie_flags(client, world):
    response = client.post("/login", data={"email": "owner@example.com", "password": "correct-horse-battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_outside_development(database):
    from salon_web import create_app

    production = create_app({"DATABASE": database, "ENV": "production", "SECRET_KEY": "x" * 32})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    development = create_app({"DATABASE": database, "ENV": "development", "SECRET_KEY": "x" * 32})
    assert development.config["SESSION_COOKIE_SECURE"] is False


def test_production_refuses_to_start_without_secret_key(database, monkeypatch):
    from salon_web import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE": database, "ENV": "production"})


def test_static_files_are_cacheable(client):
    response = client.get("/static/app.css")
    response.close()
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
