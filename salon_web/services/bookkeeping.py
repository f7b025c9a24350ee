"""Pruning the tables that only grow: idempotency keys, API rate windows, login throttles, sessions, merge snapshots.

Run by `flask prune-bookkeeping` and every 10 minutes by salon_web.jobs, never on a request: a GET never writes.
"""
import datetime

from salon_web.models import ApiIdempotencyKey, utcnow
from salon_web.services import auth, merges, rate_limit, sessions
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
        "expired merge snapshots": merges.forget_expired_merges(now),
    }


def prune_expired(config, now=None):
    """Prune with the windows the app is configured with (API_RATE_WINDOW, LOGIN_THROTTLE_WINDOW)."""
    return prune(now or utcnow(), rate_window_seconds=config["API_RATE_WINDOW"],
                 login_window_seconds=config["LOGIN_THROTTLE_WINDOW"])
