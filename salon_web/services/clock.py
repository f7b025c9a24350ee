"""Time zones: everything is stored in UTC and shown in the salon's zone."""
import datetime
from zoneinfo import ZoneInfo

from salon_web.models.base import utcnow
from salon_web.texts import _l

UTC = datetime.UTC
# Dates people type are kept to these years: at the ends of the calendar (0001-01-01, 9999-12-31)
# a time-zone conversion or a day's arithmetic leaves Python's datetime range and raises.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)


def in_date_range(moment):
    """True for a date or datetime within EARLIEST_DATE..LATEST_DATE."""
    day = moment.date() if isinstance(moment, datetime.datetime) else moment
    return EARLIEST_DATE <= day <= LATEST_DATE


def parse_date(text):
    """Return the date in YYYY-MM-DD text, None if empty; ValueError if malformed or out of range."""
    text = (text or "").strip()
    if not text:
        return None
    day = datetime.date.fromisoformat(text)
    if not in_date_range(day):
        raise ValueError(_l("%(day)s is outside the years %(first)s-%(last)s", day=day.isoformat(), first=EARLIEST_DATE.year,
                            last=LATEST_DATE.year))
    return day


def parse_local_datetime(text, timezone):
    """Return naive UTC for a datetime-local value typed in the salon's zone; None if empty; ValueError if bad."""
    text = (text or "").strip()
    if not text:
        return None
    moment = datetime.datetime.fromisoformat(text)
    if not in_date_range(moment):
        raise ValueError(_l("%(day)s is outside the years %(first)s-%(last)s", day=moment.date().isoformat(),
                            first=EARLIEST_DATE.year, last=LATEST_DATE.year))
    return to_utc(moment, timezone)


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
