"""Fixed-window request counting in the database, so every worker and machine shares it."""
import datetime

from peewee import fn

from salon_web.models import ApiRateWindow, utcnow


def hit(token, *, limit, window_seconds, now=None):
    """Count one request; return (allowed, seconds until the window resets)."""
    now = now or utcnow()
    epoch = int(now.timestamp()) if now.tzinfo else int(now.replace(tzinfo=datetime.UTC).timestamp())
    start_epoch = epoch - epoch % window_seconds
    window_start = datetime.datetime.fromtimestamp(start_epoch, datetime.UTC).replace(tzinfo=None)
    (
        ApiRateWindow.insert(token=token, window_start=window_start, count=1)
        .on_conflict(
            conflict_target=[ApiRateWindow.token, ApiRateWindow.window_start],
            update={ApiRateWindow.count: ApiRateWindow.count + 1},
        )
        .execute()
    )
    count = (
        ApiRateWindow.select(fn.MAX(ApiRateWindow.count))
        .where((ApiRateWindow.token == token) & (ApiRateWindow.window_start == window_start))
        .scalar()
    )
    return count <= limit, start_epoch + window_seconds - epoch


def forget_old_windows(before):
    """Delete windows that started before `before` (services/bookkeeping.py); return how many."""
    return ApiRateWindow.delete().where(ApiRateWindow.window_start < before).execute()
