"""The Today page: who is booked today, whose birthday or anniversary is near, who to call.

Everything is selected by SQL with the salon's local calendar turned into UTC bounds in Python;
only the short lists shown on the page are fetched. The statements are fixed SQL (only the number of
parameters varies): peewee took longer to compose them than the database took to run them. Each list is a
`one_trip.Query`, so the page fetches its five lists in one round trip.
"""
import collections
import datetime
import functools

from salon_web import one_trip
from salon_web.db import is_postgres
from salon_web.models import Appointment, SalonCustomer, User, utcnow
from salon_web.models.base import column_list
from salon_web.services.clock import local_day_bounds, local_today, to_local
from salon_web.sql_dialect import month_day_number_sql, timestamp

UPCOMING_DAYS = 7  # birthdays and anniversaries: today and the next 7 days
ANNIVERSARY_YEARS = 40
RHYTHM_FACTOR = 1.5
RHYTHM_MIN_VISITS = 3
LIST_LIMIT = 50

TodayAppointment = collections.namedtuple(
    "TodayAppointment", "customer_id full_name service_name employee_name scheduled_at status")
BirthdayCustomer = collections.namedtuple("BirthdayCustomer", "id full_name birthday")
RegularCustomer = collections.namedtuple("RegularCustomer", "id full_name first_visit_at visit_count")
DueCustomer = collections.namedtuple("DueCustomer", "id full_name follow_up_on")
LapsedCustomer = collections.namedtuple(
    "LapsedCustomer", "id full_name visit_count last_visit_at usual_days days_away")
Birthday = collections.namedtuple("Birthday", "customer day age")  # day: when it is celebrated in the window
Anniversary = collections.namedtuple("Anniversary", "customer day years")

_BIRTHDAY_FIELDS = (SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.birthday)
_REGULAR_FIELDS = (SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.first_visit_at, SalonCustomer.visit_count)
_DUE_FIELDS = (SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.follow_up_on)
_LAPSED_FIELDS = (SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.visit_count, SalonCustomer.last_visit_at)
_APPOINTMENT_FIELDS = (Appointment.customer, SalonCustomer.full_name, Appointment.service_name, User.name,
                       Appointment.scheduled_at, Appointment.status)

_APPOINTMENTS_SQL = (
    'SELECT a."customer_id", c."full_name", a."service_name", u."name", a."scheduled_at", a."status" '
    'FROM "appointment" AS a JOIN "salon_customer" AS c ON c."id" = a."customer_id" '
    'LEFT JOIN "user" AS u ON u."id" = a."employee_user_id" '
    'WHERE a."salon_id" = ? AND a."scheduled_at" >= ? AND a."scheduled_at" < ? ORDER BY a."scheduled_at", a."id"'
)


def _listed(sql, params, limit, fields, shape, extra_types=()):
    """A Query of (the first `limit` rows as `shape`, the number of all matches).

    The statement's last column is COUNT(*) OVER (), evaluated before LIMIT, so every row carries the full match
    count; no row, no match. Its first columns are `fields`, converted as peewee converts them; any others (of
    `extra_types`) follow as they come.
    """
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    converted = len(fields)

    def finish(found):
        rows, total = [], 0
        for *values, total in found:
            rows.append(shape(*(field.python_value(value) for field, value in zip(fields, values)), *values[converted:]))
        return rows, total

    return one_trip.Query(sql, params, (*one_trip.sql_types(fields), *extra_types, "BIGINT"), finish)


def appointments_today(salon, today=None):
    """Return today's appointments (local day) in time order, with customer and employee names."""
    return one_trip.fetch_one(_appointments_query(salon, today or local_today(salon.timezone)))


def _appointments_query(salon, today):
    start, end = local_day_bounds(today, salon.timezone)

    def finish(rows):
        return [TodayAppointment(*(field.python_value(value) for field, value in zip(_APPOINTMENT_FIELDS, row)))
                for row in rows]

    params = [salon.id, timestamp(start), timestamp(end)]
    return one_trip.Query(_APPOINTMENTS_SQL, params, one_trip.sql_types(_APPOINTMENT_FIELDS), finish)


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


def birthdays(salon, today=None, limit=LIST_LIMIT):
    """Return (rows, total) of customers whose birthday falls today or in the next 7 days, soonest first."""
    return one_trip.fetch_one(_birthdays_query(salon, today or local_today(salon.timezone), limit))


def _birthdays_query(salon, today, limit):
    keys = _month_day_keys(upcoming_days(today))
    numbers = {int(key.replace("-", "")): day for key, day in keys.items()}  # "12-31" is 1231
    month_day = month_day_number_sql('"birthday"')  # PostgreSQL reads it from an index (migration 0022)
    marks = ", ".join("?" * len(numbers))
    # Soonest first, also when the window crosses New Year (1231 before 101).
    soonest = " ".join("WHEN ? THEN ?" for _ in numbers)
    sql = (f'SELECT {column_list(_BIRTHDAY_FIELDS)}, COUNT(*) OVER () FROM "salon_customer" '
           f'WHERE "salon_id" = ? AND "birthday" IS NOT NULL AND {month_day} IN ({marks}) '
           f'ORDER BY CASE {month_day} {soonest} END, "full_name", "id"')
    params = [salon.id, *numbers]
    for number, day in numbers.items():
        params += [number, (day - today).days]

    def celebrated(listed):
        customers, total = listed
        rows = []
        for customer in customers:
            day = keys[customer.birthday.strftime("%m-%d")]
            rows.append(Birthday(customer, day, day.year - customer.birthday.year))
        return rows, total

    return _listed(sql, params, limit, _BIRTHDAY_FIELDS, BirthdayCustomer).then(celebrated)


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


def _first_visits_in_ranges(salon_id, ranges):
    """SQL and parameters: this salon's customers whose first visit lies in one of the UTC ranges, oldest first.

    One index range scan per range, the ranges driving the loop. 40 OR'ed ranges cost PostgreSQL 2 ms to plan (and
    a 350 ms walk of the whole index on a 200k-customer salon) and SQLite 1.2 ms on a few hundred customers; the
    loop takes 0.2 ms on PostgreSQL (7 ms on 200k) and 0.06 ms on SQLite.
    """
    columns = column_list(_REGULAR_FIELDS, "c")
    if is_postgres():
        sql = (f'SELECT {columns}, COUNT(*) OVER () '
               'FROM unnest(?::timestamp[], ?::timestamp[]) AS r(starts, ends) CROSS JOIN LATERAL ('
               f'SELECT {column_list(_REGULAR_FIELDS)} FROM "salon_customer" WHERE "salon_id" = ? '
               # OFFSET 0 keeps the subquery a loop per range: flattened, it became one 12 ms walk of the index.
               'AND "first_visit_at" >= r.starts AND "first_visit_at" < r.ends OFFSET 0) AS c '
               'ORDER BY c."first_visit_at", c."id"')
        return sql, [[start for start, _ in ranges], [end for _, end in ranges], salon_id]
    # SQLite takes CROSS JOIN's left side as the outer loop; VALUES names its columns column1, column2.
    sql = (f'SELECT {columns}, COUNT(*) OVER () FROM (VALUES {", ".join(["(?, ?)"] * len(ranges))}) AS r '
           'CROSS JOIN "salon_customer" AS c WHERE c."salon_id" = ? '
           'AND c."first_visit_at" >= r.column1 AND c."first_visit_at" < r.column2 ORDER BY c."first_visit_at", c."id"')
    return sql, [*(timestamp(bound) for start_end in ranges for bound in start_end), salon_id]


def anniversaries(salon, today=None, limit=LIST_LIMIT):
    """Return (rows, total) of customers whose first-visit anniversary falls today or in the next 7 days.

    Like birthdays: soonest first, then the longest-standing. A first visit on 29 February is celebrated on
    28 February in other years. The shown rows are the first `limit` by first visit (oldest clients), then sorted.
    """
    return one_trip.fetch_one(_anniversaries_query(salon, today or local_today(salon.timezone), limit))


def _anniversaries_query(salon, today, limit):
    tz = salon.timezone
    ranges, celebrated = _anniversary_ranges(tuple(upcoming_days(today)), tz)
    sql, params = _first_visits_in_ranges(salon.id, ranges)

    def dated(listed):
        customers, total = listed
        rows = []
        for customer in customers:
            first_day = to_local(customer.first_visit_at, tz).date()
            day = celebrated[first_day]
            rows.append(Anniversary(customer, day, day.year - first_day.year))
        rows.sort(key=lambda row: (row.day, -row.years))
        return rows, total

    return _listed(sql, params, limit, _REGULAR_FIELDS, RegularCustomer).then(dated)


_FOLLOW_UPS_SQL = (f'SELECT {column_list(_DUE_FIELDS)}, COUNT(*) OVER () FROM "salon_customer" '
                   'WHERE "salon_id" = ? AND "follow_up_on" <= ? ORDER BY "follow_up_on", "id"')


def follow_ups_due(salon, today=None, limit=LIST_LIMIT):
    """Return (customers, total) whose follow-up date is today or earlier, oldest first."""
    return one_trip.fetch_one(_follow_ups_query(salon, today or local_today(salon.timezone), limit))


def _follow_ups_query(salon, today, limit):
    return _listed(_FOLLOW_UPS_SQL, [salon.id, today.isoformat()], limit, _DUE_FIELDS, DueCustomer)


def _days_between(earlier, later):
    """SQL for the days (with fractions) from timestamp `earlier` to timestamp `later`."""
    if is_postgres():
        return f"(date_part('epoch', {later} - {earlier}) / 86400.0)"
    return f"(julianday({later}) - julianday({earlier}))"


def overdue_by_rhythm(salon, now=None, limit=LIST_LIMIT):
    """Return (customers, total): 3+ visits and the last one longer ago than 1.5 times their usual interval.

    Usual interval = (last visit - first visit) / (visits - 1). Most days past that 1.5x mark first;
    each customer carries `usual_days` and `days_away`.
    """
    return one_trip.fetch_one(_overdue_query(salon, now or utcnow(), limit))


def _overdue_query(salon, now, limit):
    away = _days_between('"last_visit_at"', "?")
    span = _days_between('"first_visit_at"', '"last_visit_at"')
    usual = f'({span} / ("visit_count" - 1))'
    sql = (f'SELECT {column_list(_LAPSED_FIELDS)}, {usual}, {away}, COUNT(*) OVER () FROM "salon_customer" '
           'WHERE "salon_id" = ? AND "visit_count" >= ? AND "last_visit_at" IS NOT NULL '
           # Multiplied out, so a zero interval never divides: away * (n - 1) > 1.5 * span.
           f'AND {away} * ("visit_count" - 1) > {span} * ? '
           # ORDER BY runs on rows that passed WHERE, where visits - 1 >= 2: no division by zero.
           f'ORDER BY {away} - {usual} * ? DESC, "id"')
    moment = timestamp(now)
    params = [moment, salon.id, RHYTHM_MIN_VISITS, moment, RHYTHM_FACTOR, moment, RHYTHM_FACTOR]
    return _listed(sql, params, limit, _LAPSED_FIELDS, LapsedCustomer, ("DOUBLE PRECISION", "DOUBLE PRECISION"))


def today_page(salon, today=None, now=None):
    """Return everything the Today page shows, its five lists fetched in one statement.

    Outside a transaction: no report settings are needed (the lapsed list sorts its 200,000-customer salon in
    memory with the default work_mem), and BEGIN, SET and COMMIT were round trips of their own.
    """
    today = today or local_today(salon.timezone, now)
    appointments, birthday_rows, anniversary_rows, follow_ups, overdue = one_trip.fetch(
        _appointments_query(salon, today), _birthdays_query(salon, today, LIST_LIMIT),
        _anniversaries_query(salon, today, LIST_LIMIT), _follow_ups_query(salon, today, LIST_LIMIT),
        _overdue_query(salon, now or utcnow(), LIST_LIMIT))
    return {"today": today, "appointments": appointments, "birthdays": birthday_rows,
            "anniversaries": anniversary_rows, "follow_ups": follow_ups, "overdue": overdue}
