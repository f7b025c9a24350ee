"""Time zones: everything is stored in UTC and shown in the salon's zone."""
import datetime
from zoneinfo import ZoneInfo

from salon_web.models.base import utcnow

UTC = datetime.UTC


def to_local(moment, timezone):
    """Return a naive-UTC datetime as an aware datetime in the salon's zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))


def to_utc(local_moment, timezone):
    """Return a naive local datetime (as typed in a form) as naive UTC."""
    aware = local_moment.replace(tzinfo=ZoneInfo(timezone))
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_today(timezone, now=None):
    """Return today's date in the salon's zone."""
    return to_local(now or utcnow(), timezone).date()


def local_day_bounds(day, timezone):
    """Return the naive-UTC [start, end) of a local calendar day."""
    start = to_utc(datetime.datetime.combine(day, datetime.time()), timezone)
    end = to_utc(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()), timezone)
    return start, end


def days_since(moment, timezone, now=None):
    """Return whole local calendar days between a UTC moment and today, or None."""
    if moment is None:
        return None
    return (local_today(timezone, now) - to_local(moment, timezone).date()).days
