"""Pruning the tables that only grow: idempotency keys, API rate windows, login throttles, sessions.

Run by `flask prune-bookkeeping` (and later by a periodic job), never on a request: a GET never writes.
"""
import datetime

from salon_web.models import ApiIdempotencyKey
from salon_web.services import auth, rate_limit, sessions
from salon_web.services.idempotency import KEY_LIFETIME

# A rate window is kept this long after it ended, to answer "why was I limited?" in that hour.
RATE_WINDOW_AFTERLIFE = datetime.timedelta(hours=1)


def prune(now, *, rate_window_seconds, login_window_seconds):
    """Delete expired bookkeeping rows; return how many of each kind went, by name."""
    rate_window = datetime.timedelta(seconds=rate_window_seconds)
    return {
        "idempotency keys": ApiIdempotencyKey.delete().where(ApiIdempotencyKey.created_at < now - KEY_LIFETIME).execute(),
        "API rate windows": rate_limit.forget_old_windows(now - RATE_WINDOW_AFTERLIFE - rate_window),
        "login throttle windows": auth.forget_old_attempts(now - datetime.timedelta(seconds=login_window_seconds)),
        "sessions": sessions.forget_expired_sessions(now),
    }
