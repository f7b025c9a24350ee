"""Logging in and out, throttling, session invalidation, password storage."""
from salon_web.models import AuditEvent, LoginThrottle, User
from tests.factories import PASSWORD


def _login(client, email, password=PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_good_login_redirects_home_with_303(client, world):
    response = _login(client, "owner@example.com")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == f"/salons/{world.salon.id}/customers"


def test_email_is_case_insensitive(client, world):
    assert _login(client, "  Owner@Example.COM ").status_code == 303


def test_wrong_password_rerenders_form_with_one_generic_message(client, world):
    response = _login(client, "owner@example.com", "wrong-password")
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "do not match an active account" in page
    assert 'name="email"' in page and 'value="owner@example.com"' in page
    assert client.get("/profile").status_code == 302  # nobody is logged in


def test_unknown_email_gets_the_same_message(client, world):
    response = _login(client, "nobody@example.com", "whatever-password")
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)


def test_inactive_user_cannot_log_in(client, world):
    User.update(is_active=False).where(User.email == "owner@example.com").execute()
    assert _login(client, "owner@example.com").status_code == 401


def test_empty_fields_are_a_422_with_messages(client, world):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Enter your email." in response.get_data(as_text=True)


def test_missing_csrf_token_is_400(client, world):
    client.csrf_token = None
    response = _login(client, "owner@example.com")
    assert response.status_code == 400
    assert client.get("/profile").status_code == 302


def test_repeated_failures_for_one_account_are_throttled(client, world, app):
    limit = app.config["LOGIN_THROTTLE_PER_ACCOUNT"]
    for _ in range(limit):
        assert _login(client, "owner@example.com", "bad-password").status_code == 401
    response = _login(client, "owner@example.com")  # even the right password waits
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    # kept in the database, not in memory; the refused attempt counted too
    assert LoginThrottle.get(LoginThrottle.key == "account:owner@example.com").count == limit + 1


def test_failures_from_one_address_across_accounts_are_throttled(client, world, app):
    app.config["LOGIN_THROTTLE_PER_IP"] = 3
    for number in range(3):
        _login(client, f"guess{number}@example.com", "bad-password")
    assert _login(client, "owner@example.com").status_code == 429


def test_success_clears_the_account_failures(client, world):
    _login(client, "owner@example.com", "bad-password")
    assert _login(client, "owner@example.com").status_code == 303
    assert not LoginThrottle.select().where(LoginThrottle.key == "account:owner@example.com").exists()
    assert LoginThrottle.get(LoginThrottle.key == "ip:127.0.0.1").count == 1  # only the failure counts


def test_logins_are_audited(client, world):
    _login(client, "owner@example.com", "bad-password")
    _login(client, "owner@example.com")
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions == ["login.failed", "login.ok"]


def test_logout_requires_post_and_ends_the_session(client, login_as):
    login_as("owner")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 303
    assert client.get("/profile").status_code == 302


def test_passwords_are_hashed_with_argon2id(world):
    assert world.users["owner"].password_hash.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in world.users["owner"].password_hash


def test_next_parameter_only_follows_local_paths(client, world):
    response = client.post("/login?next=https://evil.example/x", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    client.refresh_csrf_token()
    response = client.post("/login?next=/profile", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/profile"


def test_anonymous_htmx_request_is_sent_to_login(client, world):
    response = client.get(f"/salons/{world.salon.id}/customers", headers={"HX-Request": "true"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def _parallel_wrong_logins(app, monkeypatch, emails):
    """Fire one wrong login per email at once, each thread with its own client and connection; return the password checks."""
    import threading
    import time

    from salon_web.services import auth

    app.config["WTF_CSRF_ENABLED"] = False  # each thread would otherwise need its own login page first
    checks, lock, start = [], threading.Lock(), threading.Barrier(len(emails))
    real_verify = auth.verify_password

    def counting_verify(password_hash, password):
        with lock:
            checks.append(password)
        time.sleep(0.05)  # a slow hash widens the window a count-then-insert throttle leaves open
        return real_verify(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", counting_verify)
    statuses = []

    def attempt(email):
        client = app.test_client()
        start.wait()
        response = client.post("/login", data={"email": email, "password": "wrong-password"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [401, 429], statuses
    return len(checks)


def test_forty_parallel_wrong_passwords_check_at_most_the_account_limit(app, world, monkeypatch):
    checks = _parallel_wrong_logins(app, monkeypatch, ["owner@example.com"] * 40)
    assert checks <= app.config["LOGIN_THROTTLE_PER_ACCOUNT"]


def test_forty_parallel_guesses_across_accounts_check_at_most_the_address_limit(app, world, monkeypatch):
    checks = _parallel_wrong_logins(app, monkeypatch, [f"guess{n}@example.com" for n in range(40)])
    assert checks <= app.config["LOGIN_THROTTLE_PER_IP"]


def test_a_window_older_than_the_throttle_window_starts_afresh(app, world):
    import datetime

    from salon_web.services.auth import reserve_attempt

    start = datetime.datetime(2026, 1, 1, 9, 0)
    assert all(reserve_attempt("account:x", limit=2, window_seconds=900, now=start) for _ in range(2))
    assert not reserve_attempt("account:x", limit=2, window_seconds=900, now=start + datetime.timedelta(minutes=14))
    assert reserve_attempt("account:x", limit=2, window_seconds=900, now=start + datetime.timedelta(minutes=16))
    row = LoginThrottle.get(LoginThrottle.key == "account:x")
    assert (row.count, row.window_start) == (1, start + datetime.timedelta(minutes=16))
