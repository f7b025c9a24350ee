"""The Today page: who is booked today, whose birthday or anniversary is near, who to call.

Everything is selected by SQL with the salon's local calendar turned into UTC bounds in Python;
only the short lists shown on the page are fetched.
"""
import datetime
import functools

from peewee import JOIN, SQL, Case, fn

from salon_web.db import is_postgres
from salon_web.models import Appointment, SalonCustomer, User, utcnow
from salon_web.services.analytics import report_transaction
from salon_web.services.clock import local_day_bounds, local_today, to_local
from salon_web.sql_dialect import placeholders, timestamp

UPCOMING_DAYS = 7  # birthdays and anniversaries: today and the next 7 days
ANNIVERSARY_YEARS = 40
RHYTHM_FACTOR = 1.5
RHYTHM_MIN_VISITS = 3
LIST_LIMIT = 50


def _rows_and_total(query, limit):
    """Return (the first `limit` rows, the number of all matches) in one statement.

    COUNT(*) OVER () is evaluated before LIMIT, so every row carries the full match count; no row, no match.
    """
    rows = list(query.select_extend(fn.COUNT(SQL("*")).over().alias("matching_total")).limit(limit))
    return rows, (rows[0].matching_total if rows else 0)


def appointments_today(salon, today=None):
    """Return today's appointments (local day) in time order, with customer and employee names."""
    today = today or local_today(salon.timezone)
    start, end = local_day_bounds(today, salon.timezone)
    return list(
        Appointment.select(Appointment, SalonCustomer.full_name, User.name)
        .join(SalonCustomer, on=(Appointment.customer == SalonCustomer.id))
        .switch(Appointment)
        .join(User, join_type=JOIN.LEFT_OUTER, on=(Appointment.employee == User.id))
        .where((Appointment.salon == salon) & (Appointment.scheduled_at >= start) & (Appointment.scheduled_at < end))
        .order_by(Appointment.scheduled_at, Appointment.id)
        .objects()
    )


def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def upcoming_days(today, days=UPCOMING_DAYS):
    """Today and the next `days` days."""
    return [today + datetime.timedelta(days=offset) for offset in range(days + 1)]


def _month_day_keys(window):
    """Map "MM-DD" to the date it is celebrated in the window; 29 Feb goes to 28 Feb in other years."""
    keys = {}
    for day in window:
        keys[day.strftime("%m-%d")] = day
        if day.month == 2 and day.day == 28 and not _is_leap(day.year):
            keys["02-29"] = day
    return keys


def _month_day(column):
    """SQL "MM-DD" of a date column."""
    if is_postgres():
        return fn.to_char(column, "MM-DD")
    return fn.strftime("%m-%d", column)


def birthdays(salon, today=None, limit=LIST_LIMIT):
    """Return (rows, total) of customers whose birthday falls today or in the next 7 days, soonest first."""
    today = today or local_today(salon.timezone)
    keys = _month_day_keys(upcoming_days(today))
    month_day = _month_day(SalonCustomer.birthday)
    query = SalonCustomer.select(
        SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.phone_e164, SalonCustomer.birthday,
    ).where((SalonCustomer.salon == salon) & SalonCustomer.birthday.is_null(False) & month_day.in_(list(keys)))
    # Soonest first, also when the window crosses New Year ("12-31" before "01-01").
    soonest = Case(month_day, [(key, (day - today).days) for key, day in keys.items()])
    customers, total = _rows_and_total(query.order_by(soonest, SalonCustomer.full_name, SalonCustomer.id), limit)
    rows = []
    for customer in customers:
        day = keys[customer.birthday.strftime("%m-%d")]
        rows.append({"customer": customer, "day": day, "age": day.year - customer.birthday.year})
    return rows, total


@functools.lru_cache(maxsize=256)
def _anniversary_ranges(window, timezone, years=ANNIVERSARY_YEARS):
    """UTC ranges in past years whose local days are celebrated in the window, with each day's window date.

    Pure in its arguments (80 local day bounds a page): kept per window and zone. Callers only read the result.
    """
    ranges, celebrated = [], {}
    for back in range(1, years + 1):
        source_days = []
        for day in window:
            try:
                source = day.replace(year=day.year - back)
            except ValueError:  # 29 Feb in the window, no 29 Feb that year: nobody to celebrate
                continue
            source_days.append(source)
            celebrated[source] = day
            if day.month == 2 and day.day == 28 and not _is_leap(day.year) and _is_leap(source.year):
                leap_day = source.replace(day=29)
                source_days.append(leap_day)
                celebrated[leap_day] = day
        if source_days:
            ranges.append((local_day_bounds(min(source_days), timezone)[0], local_day_bounds(max(source_days), timezone)[1]))
    return ranges, celebrated


def anniversaries(salon, today=None, limit=LIST_LIMIT):
    """Return (rows, total) of customers whose first-visit anniversary falls today or in the next 7 days.

    Like birthdays: soonest first, then the longest-standing. A first visit on 29 February is celebrated on
    28 February in other years. The shown rows are the first `limit` by first visit (oldest clients), then sorted.
    """
    tz = salon.timezone
    today = today or local_today(tz)
    ranges, celebrated = _anniversary_ranges(tuple(upcoming_days(today)), tz)
    # One SQL node for the 40 ranges: peewee composes 40 OR'ed expressions slowly (~2 ms a page).
    in_range = SQL(
        placeholders("(" + " OR ".join(['("first_visit_at" >= ? AND "first_visit_at" < ?)'] * len(ranges)) + ")"),
        [timestamp(bound) for start_end in ranges for bound in start_end],
    )
    query = SalonCustomer.select(
        SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.phone_e164,
        SalonCustomer.first_visit_at, SalonCustomer.visit_count,
    ).where((SalonCustomer.salon == salon) & (in_range))
    customers, total = _rows_and_total(query.order_by(SalonCustomer.first_visit_at, SalonCustomer.id), limit)
    rows = []
    for customer in customers:
        first_day = to_local(customer.first_visit_at, tz).date()
        day = celebrated[first_day]
        rows.append({"customer": customer, "day": day, "years": day.year - first_day.year})
    rows.sort(key=lambda row: (row["day"], -row["years"]))
    return rows, total


def follow_ups_due(salon, today=None, limit=LIST_LIMIT):
    """Return (customers, total) whose follow-up date is today or earlier, oldest first."""
    today = today or local_today(salon.timezone)
    query = SalonCustomer.select(
        SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.phone_e164, SalonCustomer.follow_up_on,
        SalonCustomer.last_visit_at,
    ).where((SalonCustomer.salon == salon) & (SalonCustomer.follow_up_on <= today))
    return _rows_and_total(query.order_by(SalonCustomer.follow_up_on, SalonCustomer.id), limit)


def _elapsed_days(column, now):
    """SQL for the days from a timestamp column to `now`, and its parameter."""
    if is_postgres():
        return SQL(f"(date_part('epoch', %s - {column}) / 86400.0)", [now])
    return SQL(f"(julianday(?) - julianday({column}))", [now.strftime("%Y-%m-%d %H:%M:%S")])


def _span_days():
    if is_postgres():
        return SQL("(date_part('epoch', last_visit_at - first_visit_at) / 86400.0)")
    return SQL("(julianday(last_visit_at) - julianday(first_visit_at))")


def overdue_by_rhythm(salon, now=None, limit=LIST_LIMIT):
    """Return (customers, total): 3+ visits and the last one longer ago than 1.5 times their usual interval.

    Usual interval = (last visit - first visit) / (visits - 1). Most days past that 1.5x mark first;
    each customer carries `usual_days` and `days_away`.
    """
    now = now or utcnow()
    elapsed = _elapsed_days("last_visit_at", now)
    span = _span_days()
    usual = span / (SalonCustomer.visit_count - 1)
    query = (
        SalonCustomer.select(
            SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.phone_e164, SalonCustomer.visit_count,
            SalonCustomer.last_visit_at, usual.alias("usual_days"), elapsed.alias("days_away"),
        )
        .where(
            (SalonCustomer.salon == salon)
            & (SalonCustomer.visit_count >= RHYTHM_MIN_VISITS)
            & SalonCustomer.last_visit_at.is_null(False)
            # Multiplied out, so a zero interval never divides: away * (n - 1) > 1.5 * span.
            & (elapsed * (SalonCustomer.visit_count - 1) > span * RHYTHM_FACTOR)
        )
    )
    # ORDER BY runs on rows that passed WHERE, where visits - 1 >= 2: no division by zero.
    return _rows_and_total(query.order_by((elapsed - usual * RHYTHM_FACTOR).desc(), SalonCustomer.id), limit)


def today_page(salon, today=None, now=None):
    """Return everything the Today page shows."""
    today = today or local_today(salon.timezone, now)
    with report_transaction():
        return _today_lists(salon, today, now)


def _today_lists(salon, today, now):
    return {
        "today": today,
        "appointments": appointments_today(salon, today),
        "birthdays": birthdays(salon, today),
        "anniversaries": anniversaries(salon, today),
        "follow_ups": follow_ups_due(salon, today),
        "overdue": overdue_by_rhythm(salon, now),
    }
