"""Personal API tokens: created on the profile page or by command, shown once, hashed, revocable."""
import re

from salon_web.models import ApiToken, AuditEvent
from tests.factories import PASSWORD

SECRET = re.compile(r"sw_[A-Za-z0-9_\-]{40,}")


def _create(client, name="Booking site", password=PASSWORD, **kwargs):
    return client.post("/profile/tokens", data={"name": name, "password": password}, **kwargs)


def test_token_is_shown_once_and_stored_hashed(client, login_as):
    login_as("owner")
    page = _create(client).get_data(as_text=True)
    secret = SECRET.search(page).group(0)
    token = ApiToken.get()
    assert token.token_hash != secret and secret not in token.token_hash
    assert SECRET.search(client.get("/profile").get_data(as_text=True)) is None
    assert AuditEvent.select().where(AuditEvent.action == "api_token.created").count() == 1


def test_token_lifecycle_create_use_revoke(client, login_as):
    login_as("owner")
    secret = SECRET.search(_create(client).get_data(as_text=True)).group(0)
    api = client.application.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json["email"] == "owner@example.com"
    assert [s["role"] for s in me.json["salons"]] == ["owner"]
    assert "passwordHash" not in me.json and "password_hash" not in str(me.json)
    assert "last used" in client.get("/profile").get_data(as_text=True).lower()
    assert ApiToken.get().last_used_at is not None
    response = client.post(f"/profile/tokens/{ApiToken.get().id}/revoke")
    assert response.status_code == 200 and "revoked" in response.get_data(as_text=True)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_htmx_create_returns_only_the_tokens_block(client, login_as):
    login_as("owner")
    response = _create(client, headers={"HX-Request": "true", "HX-Target": "api-tokens"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page and SECRET.search(page)


def test_token_name_is_required(client, login_as):
    login_as("owner")
    response = _create(client, name="  ")
    assert response.status_code == 422
    assert "Give the token a name" in response.get_data(as_text=True)
    assert ApiToken.select().count() == 0


def test_nobody_revokes_another_users_token(client, login_as, world):
    from salon_web.services.api_tokens import create_token

    token, _ = create_token(world.users["employee"], "theirs")
    login_as("owner")
    assert client.post(f"/profile/tokens/{token.id}/revoke").status_code == 404
    assert ApiToken.get_by_id(token.id).revoked_at is None


def test_cli_prints_the_token_alone_on_the_last_line(app, world):
    result = app.test_cli_runner().invoke(args=["create-api-token", "owner@example.com", "--name", "Till"])
    assert result.exit_code == 0, result.output
    last_line = result.output.strip().splitlines()[-1]
    assert SECRET.fullmatch(last_line)
    assert ApiToken.get().name == "Till"
    failed = app.test_cli_runner().invoke(args=["create-api-token", "nobody@example.com"])
    assert failed.exit_code != 0


def test_session_cookie_is_not_accepted_by_the_api(client, login_as):
    login_as("owner")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_malformed_tokens_are_401(client, world):
    for header in ["Bearer", "Bearer sw_nope", "Basic abc", "Bearer " + "x" * 500]:
        assert client.get("/api/v1/me", headers={"Authorization": header}).status_code == 401


def test_rate_limit_per_token_answers_429_with_retry_after(app, world):
    from salon_web.services.api_tokens import create_token

    app.config["API_RATE_LIMIT"] = 3
    app.config["API_RATE_WINDOW"] = 86400  # one window for the whole test, never straddling a boundary
    _, secret = create_token(world.users["owner"], "busy")
    _, other = create_token(world.users["owner"], "quiet")
    api = app.test_client()
    statuses = [api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert 1 <= int(limited.headers["Retry-After"]) <= 86400
    assert limited.json["status"] == 429
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_openapi_document_is_3_1_and_public(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert document["paths"]["/api/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
    assert "Me" in document["components"]["schemas"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/me" in page and "https://" not in page


def test_creating_a_token_asks_for_the_password(client, login_as):
    login_as("owner")
    for password, message in [("wrong-password", "That is not your current password."), ("", "Enter your current password.")]:
        response = _create(client, password=password, headers={"HX-Request": "true", "HX-Target": "api-tokens"})
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert 'id="token-password-error"' in page and message in page
        assert 'value="Booking site"' in page and SECRET.search(page) is None
    assert ApiToken.select().count() == 0


def test_guessing_the_password_on_the_token_form_is_throttled(client, login_as, app):
    login_as("owner")
    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"]):
        assert _create(client, password="wrong-password").status_code == 422
    response = _create(client, headers={"HX-Request": "true", "HX-Target": "api-tokens"})  # the right one waits too
    assert response.status_code == 422 and "Too many failed attempts" in response.get_data(as_text=True)
    assert ApiToken.select().count() == 0
