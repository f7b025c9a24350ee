"""The CSV export of a customer filter: streamed row by row, spreadsheet-safe, audited.

On PostgreSQL the rows come through a server-side (named) cursor inside a transaction, so memory
stays flat whatever the salon's size. The file starts with a UTF-8 byte order mark so Excel reads
accents correctly, and any free-text cell that a spreadsheet would take for a formula (starting with
=, +, -, @, tab or carriage return) is prefixed with an apostrophe (OWASP "CSV injection"). The phone
column is the validated E.164 number: written as it is (`+250…`), since owners feed the file to
messaging tools, and guarded like free text should anything else ever be stored there.
"""
import csv
import datetime
import io
import re
from zoneinfo import ZoneInfo

from peewee import JOIN, SQL, Case, Cast, NodeList, Value, fn

from salon_web.db import allow_long_statements, db, is_postgres
from salon_web.models import CustomerTag, SalonCustomer, Tag
from salon_web.services import audit
from salon_web.services.clock import local_today
from salon_web.services.money import minor_digits

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
E164 = re.compile(r"\+[1-9][0-9]{1,14}")  # what services.phones.normalize_phone stores
E164_SQL = "^\\+[1-9][0-9]{1,14}$"
TAG_SEPARATOR = "\x1f"
FLUSH_ROWS = 1_000


def header(currency):
    """The CSV header row."""
    return ["Name", "Phone", "Email", "Visits", f"Total spent ({currency})", "First visit", "Last visit",
            "Tags", "Notes", "Birthday", "Follow-up date"]


def safe_cell(value):
    """Return the cell text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def phone_cell(value):
    """Return a stored E.164 phone as it is (a plain number, never a formula); anything else guarded."""
    text = "" if value is None else str(value)
    return text if E164.fullmatch(text) else safe_cell(text)


def file_name(salon, today=None):
    """`customers-<salon slug>-<local date>.csv`."""
    today = today or local_today(salon.timezone)
    return f"customers-{salon.slug}-{today.isoformat()}.csv"


def _tags_by_customer(salon):
    """One row per tagged customer with its tag names joined (aggregated once, not per row)."""
    names = fn.string_agg(Tag.name, TAG_SEPARATOR) if is_postgres() else fn.group_concat(Tag.name, TAG_SEPARATOR)
    return (
        CustomerTag.in_salon(salon, CustomerTag.customer.alias("customer_id"), names.alias("names"))
        .join(Tag)
        .group_by(CustomerTag.customer)
        .alias("customer_tags")
    )


def export_query(customer_filter, salon, now=None):
    """The rows of the export, in the list's order, as tuples."""
    tags = _tags_by_customer(salon)
    return (
        customer_filter.matching(
            salon,
            SalonCustomer.full_name, SalonCustomer.phone_e164, SalonCustomer.email, SalonCustomer.visit_count,
            SalonCustomer.total_spent, SalonCustomer.first_visit_at, SalonCustomer.last_visit_at,
            tags.c.names, SalonCustomer.notes, SalonCustomer.birthday, SalonCustomer.follow_up_on,
            now=now,
        )
        .join(tags, JOIN.LEFT_OUTER, on=(tags.c.customer_id == SalonCustomer.id))
        .order_by(*customer_filter.ordering())
        .tuples()
    )


def _quoted(text):
    """A CSV field built in SQL: NULL as empty, formula guard, always quoted with quotes doubled."""
    text = fn.COALESCE(text, "")
    guarded = Case(None, [(fn.LEFT(text, 1).in_(list(FORMULA_STARTS)), fn.CONCAT("'", text))], text)
    return fn.CONCAT('"', fn.REPLACE(guarded, '"', '""'), '"')


def _quoted_phone(column):
    """phone_cell in SQL: a stored E.164 number quoted as it is, anything else as free text."""
    return Case(None, [(column.regexp(E164_SQL), fn.CONCAT('"', column, '"'))], _quoted(column))


def _local_day(column, timezone):
    local = NodeList((column, SQL("AT TIME ZONE 'UTC' AT TIME ZONE"), Value(timezone)))
    return fn.COALESCE(fn.to_char(local, "YYYY-MM-DD"), "")


def _money_text(column, currency):
    digits = minor_digits(currency)
    if not digits:
        return Cast(column, "text")
    scale = 10 ** digits
    return fn.CONCAT(Cast(column / scale, "text"), ".", fn.LPAD(Cast(fn.MOD(column, scale), "text"), digits, "0"))


def csv_lines_query(customer_filter, salon, now=None):
    """PostgreSQL: the export with each CSV line built by the database (one text column per row).

    Python then only joins lines: formatting 200,000 rows cell by cell in Python was the
    bottleneck (about 30 µs a row), the database does it in a fraction of that.
    """
    tags = (
        CustomerTag.in_salon(salon, CustomerTag.customer.alias("customer_id"),
                             fn.string_agg(Tag.name, ", ").order_by(Tag.name).alias("names"))
        .join(Tag)
        .group_by(CustomerTag.customer)
        .alias("customer_tags")
    )
    line = fn.concat_ws(
        ",",
        _quoted(SalonCustomer.full_name), _quoted_phone(SalonCustomer.phone_e164), _quoted(SalonCustomer.email),
        Cast(SalonCustomer.visit_count, "text"), _money_text(SalonCustomer.total_spent, salon.currency),
        _local_day(SalonCustomer.first_visit_at, salon.timezone), _local_day(SalonCustomer.last_visit_at, salon.timezone),
        _quoted(tags.c.names), _quoted(SalonCustomer.notes),
        fn.COALESCE(fn.to_char(SalonCustomer.birthday, "YYYY-MM-DD"), ""),
        fn.COALESCE(fn.to_char(SalonCustomer.follow_up_on, "YYYY-MM-DD"), ""),
    )
    return (
        customer_filter.matching(salon, line, now=now)
        .join(tags, JOIN.LEFT_OUTER, on=(tags.c.customer_id == SalonCustomer.id))
        .order_by(*customer_filter.ordering())
        .tuples()
    )


def _row_formatter(salon):
    """Return a function turning a query tuple into CSV cells (kept tight: it runs per row)."""
    zone = ZoneInfo(salon.timezone)
    utc = datetime.UTC
    digits = minor_digits(salon.currency)
    scale = 10 ** digits

    def local_date(moment):
        if moment is None:
            return ""
        if isinstance(moment, str):  # SQLite's raw cursor returns text
            moment = datetime.datetime.fromisoformat(moment)
        return moment.replace(tzinfo=utc).astimezone(zone).date().isoformat()

    def plain_date(day):
        if day is None:
            return ""
        return day if isinstance(day, str) else day.isoformat()

    def money(amount):
        amount = int(amount or 0)
        return str(amount) if not digits else f"{amount // scale}.{amount % scale:0{digits}d}"

    def format_row(row):
        name, phone, email, visits, spent, first, last, tags, notes, birthday, follow_up = row
        tag_text = ", ".join(sorted(tags.split(TAG_SEPARATOR))) if tags else ""
        return [
            safe_cell(name), phone_cell(phone), safe_cell(email), visits, money(spent), local_date(first),
            local_date(last), safe_cell(tag_text), safe_cell(notes),
            plain_date(birthday), plain_date(follow_up),
        ]

    return format_row


def iter_rows(query):
    """Yield a query's raw rows without loading them all: a named (server-side) cursor on PostgreSQL.

    The bare DB-API cursor is used on purpose: peewee's per-row conversion would cost more than
    writing the CSV row. Call inside a transaction.
    """
    sql, params = query.sql()
    if is_postgres():
        # Plan for all rows, not the first 10% (cursors default to fast-start plans); no JIT (seconds
        # of compilation for a scan); room to sort in memory.
        db.execute_sql("SET LOCAL cursor_tuple_fraction = 1.0")
        db.execute_sql("SET LOCAL jit = off")
        db.execute_sql("SET LOCAL work_mem = '64MB'")
        # One process: parallel workers would each rebuild the tags hash, and the stream is sequential.
        db.execute_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        allow_long_statements()  # each FETCH of a large export may outlast a page's statement timeout
        cursor = db.cursor(named_cursor=True)
        cursor.itersize = 5_000
    else:
        cursor = db.cursor()
    try:
        cursor.execute(sql, params)
        yield from cursor
    finally:
        cursor.close()


def stream_csv(customer_filter, salon, *, user=None, ip=None, now=None):
    """Yield the CSV as UTF-8 bytes in chunks; record the export (filter, rows) in the audit trail."""
    rows = 0
    completed = False
    try:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(BOM)
        writer.writerow(header(salon.currency))
        with db.atomic():  # a named cursor lives inside a transaction
            if is_postgres():
                lines = []
                for (line,) in iter_rows(csv_lines_query(customer_filter, salon, now)):
                    lines.append(line)
                    if len(lines) == FLUSH_ROWS:
                        rows += len(lines)
                        buffer.write("\r\n".join(lines) + "\r\n")
                        lines = []
                        yield buffer.getvalue().encode("utf-8")
                        buffer.seek(0)
                        buffer.truncate()
                rows += len(lines)
                if lines:
                    buffer.write("\r\n".join(lines) + "\r\n")
            else:
                format_row = _row_formatter(salon)
                for row in iter_rows(export_query(customer_filter, salon, now)):
                    writer.writerow(format_row(row))
                    rows += 1
                    if rows % FLUSH_ROWS == 0:
                        yield buffer.getvalue().encode("utf-8")
                        buffer.seek(0)
                        buffer.truncate()
        yield buffer.getvalue().encode("utf-8")
        completed = True
    finally:
        audit.record(
            "customer.export", salon=salon.id, user=user, ip=ip, object_type="salon_customer",
            detail={"filter": customer_filter.describe(), "rows": rows, "completed": completed},
        )
