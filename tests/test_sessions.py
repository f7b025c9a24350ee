"""Server-side sessions: logout, a password change or "log out everywhere" end them; the last two revoke API tokens."""
import datetime

from salon_web.models import ApiToken, Salon, User, UserSession
from salon_web.services import sessions
from tests.api_helpers import Api
from tests.factories import PASSWORD

NEW_PASSWORD = "a-brand-new-secret"


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
    assert User.get_by_id(user.id).password_hash == user.password_hash
    assert UserSession.select().where(UserSession.user == user).count() == 1  # this session is still the only one


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


def _copy_of(app, client):
    """A second browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, login_as):
    login_as("owner")
    copy = _copy_of(app, client)
    assert copy.get("/profile").status_code == 200
    assert client.post("/logout").status_code == 303
    replay = copy.get("/profile")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]
    assert UserSession.select().count() == 0


def test_logout_ends_only_this_session(app, client, login_as):
    login_as("owner")
    elsewhere = _second_client(app, "owner@example.com")
    client.post("/logout")
    assert elsewhere.get("/profile").status_code == 200


def test_log_out_everywhere_revokes_every_api_token(app, client, login_as, world):
    user = login_as("owner")
    api = Api(app, user)
    assert api.get("/me").status_code == 200
    response = client.post("/profile/sessions/end", follow_redirects=True)
    assert "1 API token revoked" in response.get_data(as_text=True)
    assert api.get("/me").status_code == 401
    assert ApiToken.select().where(ApiToken.revoked_at.is_null()).count() == 0


def test_password_change_revokes_every_api_token_and_ends_the_old_cookie(app, client, login_as):
    user = login_as("owner")
    api, copy = Api(app, user), _copy_of(app, client)
    response = client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert "every API token revoked" in response.get_data(as_text=True)
    assert api.get("/me").status_code == 401
    assert copy.get("/profile").status_code == 302  # even this browser's old cookie: it got a new session
    assert client.get("/profile").status_code == 200


def test_profile_page_says_tokens_are_revoked(client, login_as):
    login_as("owner")
    page = client.get("/profile").get_data(as_text=True)
    assert "revokes every personal API token" in page


def test_a_session_past_its_lifetime_is_refused(client, login_as):
    login_as("owner")
    logged_in_at = UserSession.get().created_at
    assert client.get("/profile").status_code == 200
    UserSession.update(created_at=logged_in_at - sessions.LIFETIME - datetime.timedelta(minutes=1)).execute()
    assert client.get("/profile").status_code == 302


def test_loading_the_user_is_one_query(client, login_as):
    from playhouse.test_utils import count_queries

    user = login_as("owner")
    key = sessions.start_session(user).session_key
    with count_queries() as counter:
        assert sessions.load_session_user(key).id == user.id
    assert counter.count == 1
    assert sessions.load_session_user("not-a-key") is None


def test_guessing_the_current_password_is_throttled(app, client, login_as):
    login_as("owner")
    wrong = {"current_password": "wrong-password", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"]):
        assert client.post("/profile/password", data=wrong).status_code == 422
    response = client.post("/profile/password", data={**wrong, "current_password": PASSWORD})
    assert response.status_code == 429 and "Too many failed attempts" in response.get_data(as_text=True)


def test_the_session_user_comes_with_the_salon_in_the_url_and_the_role_in_it(app, world):
    """One statement reads the user, the URL's salon and the role; the gate then decides without a query."""
    from playhouse.test_utils import assert_query_count

    from salon_web.services.salons import enter_salon

    keys = {role: sessions.start_session(world.users[role]).session_key for role in ("admin", "owner", "employee")}
    cases = [("owner", world.salon.id, "owner"), ("employee", world.salon.id, "employee"),
             ("owner", world.other_salon.id, None), ("admin", world.other_salon.id, "admin"),
             ("admin", 987_654, None), ("owner", 987_654, None)]
    for role, salon_id, expected in cases:
        with assert_query_count(1):
            user = sessions.load_session_user(keys[role], salon_id=salon_id)
            entered = enter_salon(user, salon_id)
        assert user.id == world.users[role].id
        assert (entered[1] if entered else None) == expected, (role, salon_id)
        if entered:
            assert entered[0].id == salon_id and entered[0].name == Salon.get_by_id(salon_id).name
            assert entered[0].created_at == Salon.get_by_id(salon_id).created_at  # converted like a selected row
        # another salon than the one read with the user: the gate asks the database as before
        assert enter_salon(user, world.salon.id if salon_id != world.salon.id else world.other_salon.id) == \
            enter_salon(sessions.load_session_user(keys[role]), world.salon.id if salon_id != world.salon.id
                        else world.other_salon.id)
