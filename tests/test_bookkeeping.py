"""Pruning the bookkeeping tables (idempotency keys, rate windows, login throttles, sessions); expired keys are unused."""
import datetime

from salon_web.models import ApiIdempotencyKey, ApiRateWindow, ApiToken, LoginThrottle, UserSession
from salon_web.services import idempotency, sessions
from salon_web.services.api_tokens import create_token
from salon_web.services.bookkeeping import prune
from tests.api_helpers import api_as

NOW = datetime.datetime(2026, 6, 1, 12, 0, 0)
SECOND = datetime.timedelta(seconds=1)
RATE_WINDOW, LOGIN_WINDOW = 60, 900


def _expired_and_live_rows(user):
    """One row of each kind just past its limit and one just within it; return the live ones' ids by table."""
    token, _ = create_token(user, "till")
    day, hour = datetime.timedelta(hours=24), datetime.timedelta(hours=1)
    rate_ended = NOW - hour - datetime.timedelta(seconds=RATE_WINDOW)  # a window starting here ended an hour ago
    login_cutoff = NOW - datetime.timedelta(seconds=LOGIN_WINDOW)
    session_cutoff = NOW - sessions.LIFETIME
    pairs = [
        (ApiIdempotencyKey.create(user=user, key="old", request_hash="h", status=201, body="{}", created_at=NOW - day - SECOND),
         ApiIdempotencyKey.create(user=user, key="new", request_hash="h", created_at=NOW - day + SECOND)),
        (ApiRateWindow.create(token=token, window_start=rate_ended - SECOND, count=9),
         ApiRateWindow.create(token=token, window_start=rate_ended, count=9)),
        (LoginThrottle.create(key="ip:10.0.0.1", window_start=login_cutoff - SECOND, count=3),
         LoginThrottle.create(key="ip:10.0.0.2", window_start=login_cutoff, count=3)),
        (UserSession.create(user=user, key_hash="a" * 64, created_at=session_cutoff - SECOND),
         UserSession.create(user=user, key_hash="b" * 64, created_at=session_cutoff)),
    ]
    return {type(live): [live.id] for _, live in pairs}


def test_prune_deletes_exactly_the_expired_rows(app, world):
    live = _expired_and_live_rows(world.users["owner"])
    deleted = prune(NOW, rate_window_seconds=RATE_WINDOW, login_window_seconds=LOGIN_WINDOW)
    assert deleted == {"idempotency keys": 1, "API rate windows": 1, "login throttle windows": 1, "sessions": 1,
                       "expired merge snapshots": 0}
    for model, ids in live.items():
        assert [row.id for row in model.select()] == ids, model.__name__
    assert ApiToken.select().count() == 1
    assert prune(NOW, rate_window_seconds=RATE_WINDOW, login_window_seconds=LOGIN_WINDOW) == dict.fromkeys(deleted, 0)


def test_prune_bookkeeping_command_prints_what_it_deleted(app, world):
    ApiIdempotencyKey.create(user=world.users["owner"], key="k", request_hash="h", created_at=NOW - datetime.timedelta(days=400))
    result = app.test_cli_runner().invoke(args=["prune-bookkeeping"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 expired idempotency keys" in result.output
    assert "deleted 0 expired sessions" in result.output
    assert ApiIdempotencyKey.select().count() == 0


def test_an_expired_key_is_claimed_afresh(app, world):
    user = world.users["owner"]
    assert idempotency.claim(user, "k", "first", now=NOW) is None
    idempotency.remember(user, "k", 201, "{}")
    assert idempotency.claim(user, "k", "first", now=NOW + datetime.timedelta(hours=23)) == (201, "{}")
    later = NOW + idempotency.KEY_LIFETIME + SECOND
    assert idempotency.claim(user, "k", "another body", now=later) is None
    assert ApiIdempotencyKey.get().request_hash == "another body"


def test_an_api_retry_after_a_day_runs_again(app, world):
    api = api_as(app, world, "employee")
    path = f"/salons/{world.salon.id}/customers/{world.customer.id}/tags"
    assert api.post(path, json={"tag": "Regular"}, headers={"Idempotency-Key": "t1"}).status_code == 200
    first_used = ApiIdempotencyKey.get().created_at
    ApiIdempotencyKey.update(created_at=first_used - datetime.timedelta(hours=25)).execute()
    response = api.post(path, json={"tag": "Gold"}, headers={"Idempotency-Key": "t1"})
    assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers
    assert "Gold" in response.json["tags"]
