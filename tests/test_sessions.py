"""session_version: a password change or "log out everywhere" ends other sessions."""
from salon_web.models import User
from tests.factories import PASSWORD


def _second_client(app, email):
    other = app.test_client()
    other.refresh_csrf_token()
    assert other.post("/login", data={"email": email, "password": PASSWORD}).status_code == 303
    return other


def test_log_out_everywhere_ends_other_sessions_but_not_this_one(app, client, login_as):
    login_as("owner")
    elsewhere = _second_client(app, "owner@example.com")
    assert elsewhere.get("/profile").status_code == 200
    assert client.post("/profile/sessions/end").status_code == 303
    assert client.get("/profile").status_code == 200
    assert elsewhere.get("/profile").status_code == 302


def test_password_change_ends_other_sessions(app, client, login_as):
    login_as("owner")
    elsewhere = _second_client(app, "owner@example.com")
    response = client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "new_password": "a-brand-new-secret", "confirm_password": "a-brand-new-secret"},
    )
    assert response.status_code == 303
    assert client.get("/profile").status_code == 200
    assert elsewhere.get("/profile").status_code == 302
    fresh = app.test_client()
    fresh.refresh_csrf_token()
    assert fresh.post("/login", data={"email": "owner@example.com", "password": "a-brand-new-secret"}).status_code == 303


def test_password_change_checks_the_current_password(client, login_as):
    user = login_as("owner")
    response = client.post(
        "/profile/password",
        data={"current_password": "wrong", "new_password": "a-brand-new-secret", "confirm_password": "a-brand-new-secret"},
    )
    assert response.status_code == 422
    assert "not your current password" in response.get_data(as_text=True)
    assert User.get_by_id(user.id).session_version == user.session_version


def test_password_change_rejects_short_or_mismatched_passwords(client, login_as):
    login_as("owner")
    response = client.post(
        "/profile/password", data={"current_password": PASSWORD, "new_password": "short", "confirm_password": "other"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at least 10 characters" in page
    assert "The two new passwords differ." in page


def test_deactivated_user_is_logged_out_on_next_request(client, login_as):
    user = login_as("employee")
    User.update(is_active=False).where(User.id == user.id).execute()
    assert client.get("/profile").status_code == 302
