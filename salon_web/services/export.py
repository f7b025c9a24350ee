"""The CSV export of a customer filter: streamed row by row, spreadsheet-safe, audited.

On PostgreSQL, COPY writes the CSV rows (formula guard in SQL) and hands them over in ~64 KB chunks through
a bounded queue; on SQLite the query returns finished cells (guard in SQL, local days and sorted tags from
Python functions on the connection) and csv.writer writes them 1,000 rows at a time. Either way memory stays
flat whatever the salon's size, and the bytes are those of tests/data/export_golden_<database>.csv. The file starts with a UTF-8 byte order mark so Excel reads
accents correctly, and any free-text cell that a spreadsheet would take for a formula (starting with
=, +, -, @, tab or carriage return) is prefixed with an apostrophe (OWASP "CSV injection"). The phone
column is the validated E.164 number: written as it is (`+250…`), since owners feed the file to
messaging tools, and guarded like free text should anything else ever be stored there.
"""
import csv
import datetime
import functools
import io
import queue
import re
import secrets
import threading
from zoneinfo import ZoneInfo

from babel.support import NullTranslations, Translations
from peewee import JOIN, SQL, Case, Cast, Expression, NodeList, Value, fn

from salon_web.db import allow_long_statements, db, is_postgres
from salon_web.models import CustomerTag, SalonCustomer, Tag
from salon_web.models.customers import PRESENT_CUSTOMERS_INDEX
from salon_web.services import audit
from salon_web.services.clock import local_today
from salon_web.services.money import minor_digits
from salon_web.sql_dialect import first_code_point
from salon_web.texts import N_
from salon_web.translations import CATALOGUES

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A cell that starts with an apostrophe gets one more, so a guarded "'=…" and a literal "'=…" never read alike.
GUARDED_STARTS = (*FORMULA_STARTS, "'")
E164 = re.compile(r"\+[1-9][0-9]{1,14}")  # what services.phones.normalize_phone stores
TAG_SEPARATOR = "\x1f"
FLUSH_ROWS = 1_000


# The export's columns, declared once: (header, source, kind). The header may name the salon's %(currency)s and is
# translated into the exporting user's language (the column order never changes); the
# source is a SalonCustomer column or TAGS (the customer's tag names); the kind says how a cell is written, by
# the Python formatter (SQLite) and by the SQL line (PostgreSQL) alike. A new column is one line here.
TAGS = "tags"
COLUMNS = (
    (N_("Name"), SalonCustomer.full_name, "text"),
    (N_("Phone"), SalonCustomer.phone_e164, "phone"),
    (N_("Email"), SalonCustomer.email, "text"),
    (N_("Visits"), SalonCustomer.visit_count, "number"),
    (N_("Total spent (%(currency)s)"), SalonCustomer.total_spent, "money"),
    (N_("First visit"), SalonCustomer.first_visit_at, "local_date"),
    (N_("Last visit"), SalonCustomer.last_visit_at, "local_date"),
    (N_("Tags"), TAGS, "tags"),
    (N_("Notes"), SalonCustomer.notes, "text"),
    (N_("Birthday"), SalonCustomer.birthday, "date"),
    (N_("Follow-up date"), SalonCustomer.follow_up_on, "date"),
)


@functools.lru_cache(maxsize=8)
def translations(language):
    """The catalogue of `language` read directly (the file may be written after the request has ended)."""
    if language == "en":
        return NullTranslations()
    return Translations.load(str(CATALOGUES), [language])


def header(currency, language="en"):
    """The CSV header row, its words in `language` (English: byte-identical to the golden files)."""
    words = translations(language)
    return [words.gettext(title) % {"currency": currency} for title, _source, _kind in COLUMNS]


def safe_cell(value):
    """Return the cell text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(GUARDED_STARTS):
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


def _tags_by_customer(salon, ordered_names):
    """One row per tagged customer with its tag names joined (aggregated once, not per row)."""
    return (
        CustomerTag.in_salon(salon, CustomerTag.customer.alias("customer_id"), ordered_names.alias("names"))
        .join(Tag)
        .group_by(CustomerTag.customer)
        .alias("customer_tags")
    )


def _export_select(customer_filter, salon, tags, cells, now):
    """The filter's customers with `cells` (built from COLUMNS), their tags joined, in the list's order."""
    return (
        customer_filter.matching(salon, *cells, now=now)
        .join(tags, JOIN.LEFT_OUTER, on=(tags.c.customer_id == SalonCustomer.id))
        .order_by(*customer_filter.ordering())
        .tuples()
    )


def tags_by_customer(salon):
    """One row per tagged customer: customer_id and its tag names joined by TAG_SEPARATOR (any order)."""
    names = fn.string_agg(Tag.name, TAG_SEPARATOR) if is_postgres() else fn.group_concat(Tag.name, TAG_SEPARATOR)
    return _tags_by_customer(salon, names)


def export_query(customer_filter, salon, now=None):
    """The rows of the export, in the list's order, as tuples of raw values (one per column of COLUMNS)."""
    tags = tags_by_customer(salon)
    cells = [tags.c.names if source is TAGS else source for _title, source, _kind in COLUMNS]
    return _export_select(customer_filter, salon, tags, cells, now)


def _guarded(text):
    """safe_cell in SQL: NULL as empty, an apostrophe before a formula start (compared by code point: cheapest)."""
    starts = [ord(start) for start in GUARDED_STARTS]
    return Case(None, [(first_code_point(text).in_(starts), Value("'").concat(text))], fn.COALESCE(text, ""))


def _guarded_phone(column):
    """phone_cell in SQL: a stored E.164 number as it is, anything else guarded as free text.

    E.164 is "+", a digit 1-9, then 1 to 14 more digits. PostgreSQL: a regex without the bounded repeat
    ({1,14} made PostgreSQL's regex three times slower) and a length. SQLite has no regex: a GLOB for the
    first two characters and none but digits after them.
    """
    if is_postgres():
        is_e164 = column.regexp("^\\+[1-9][0-9]*$") & fn.LENGTH(column).between(3, 16)
    else:
        is_e164 = (Expression(column, "GLOB", "+[1-9]*") & fn.LENGTH(column).between(3, 16)
                   & ~Expression(fn.substr(column, 3), "GLOB", "*[^0-9]*"))
    return Case(None, [(is_e164, column)], _guarded(column))


def _local_day(column):
    """The local date of a UTC timestamp in the session's time zone, the salon's during the COPY (NULL stays NULL).

    The instant's date in the session's zone rather than `AT TIME ZONE <salon's zone>` on every row: looking
    the zone up by name per value cost ~11% of the COPY's time.
    """
    return Cast(NodeList((column, SQL("AT TIME ZONE 'UTC'"))), "date")


def _money_text(column, currency):
    digits = minor_digits(currency)
    if not digits:
        return Cast(column, "text")
    scale = 10 ** digits
    return fn.CONCAT(Cast(column / scale, "text"), ".", fn.LPAD(Cast(fn.MOD(column, scale), "text"), digits, "0"))


# Kinds COPY quotes always (FORCE_QUOTE), as the Python writer's PostgreSQL twin always did; the others are
# never quoted, and NULL (no date) is an empty cell.
QUOTED_KINDS = ("text", "phone", "tags")


def _copy_cell(source, kind, salon):
    """One column of COLUMNS as the text COPY writes (formula guard included)."""
    if kind in ("text", "tags"):
        return _guarded(source)
    if kind == "phone":
        return _guarded_phone(source)
    if kind == "number":
        return Cast(source, "text")
    if kind == "money":
        return _money_text(source, salon.currency)
    if kind == "local_date":
        return _local_day(source)
    if kind == "date":
        return source
    raise ValueError(f"unknown export column kind {kind!r}")


def copy_statement(customer_filter, salon, row_end, now=None):
    """PostgreSQL: (COPY statement, parameters) writing the export's rows as CSV, each ending in `row_end`.

    Run it with the session's TimeZone set to the salon's (as _copy_rows does): local days are cast in it.

    COPY quotes and escapes in C, where building each line with SQL string functions cost ~10 µs a row.
    COPY ends rows with LF; the file's rows end with CRLF, and a cell may hold an LF, so each row carries a
    last column holding `row_end` (random per export, never in the data) for Python to turn into CRLF.
    """
    tags = _tags_by_customer(salon, fn.string_agg(Tag.name, ", ").order_by(Tag.name))
    cells = [_copy_cell(tags.c.names if source is TAGS else source, kind, salon).alias(f"c{index}")
             for index, (_title, source, kind) in enumerate(COLUMNS)]
    sql, params = _export_select(customer_filter, salon, tags, [*cells, Value(row_end).alias("row_end")], now).sql()
    quoted = ", ".join(f"c{index}" for index, (_title, _source, kind) in enumerate(COLUMNS) if kind in QUOTED_KINDS)
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE ({quoted}))", params


def _sqlite_cell(source, kind, salon):
    """SQLite: one column of COLUMNS as the value csv.writer writes (formula guard in SQL, local days in Python)."""
    if kind == "text":
        return _guarded(source)
    if kind == "tags":  # one tag: guarded in SQL; several: sorted and guarded by tag_cell
        return Case(None, [(fn.instr(source, TAG_SEPARATOR) > 0, fn.salon_web_tag_cell(source))], _guarded(source))
    if kind == "phone":
        return _guarded_phone(source)
    if kind in ("number", "date"):
        return source
    if kind == "money":
        return _sqlite_money(source, salon.currency)
    if kind == "local_date":
        return fn.salon_web_local_day(source)
    raise ValueError(f"unknown export column kind {kind!r}")


def _sqlite_money(column, currency):
    """Minor units as the amount's text with the Python formatter's floor division (the bytes it always wrote)."""
    amount = fn.COALESCE(column, 0)
    digits = minor_digits(currency)
    if not digits:
        return Cast(amount, "TEXT")
    scale = 10 ** digits
    remainder = Expression(Expression(amount, "%", scale) + scale, "%", scale)  # SQLite's % truncates
    return fn.printf(f"%d.%0{digits}d", (amount - remainder) / scale, remainder)


def sqlite_csv_query(customer_filter, salon, now=None):
    """SQLite: the export's rows, in the list's order, as the cells csv.writer writes (see sqlite_functions)."""
    tags = tags_by_customer(salon)
    cells = [_sqlite_cell(tags.c.names if source is TAGS else source, kind, salon) for _title, source, kind in COLUMNS]
    return _export_select(customer_filter, salon, tags, cells, now)


SALON_INDEX = PRESENT_CUSTOMERS_INDEX  # (salon_id) of the customers not forgotten, all the export reads


def sqlite_csv_statement(customer_filter, salon, now=None):
    """SQLite: (SQL, parameters) of sqlite_csv_query; the whole book is read in table order, then sorted.

    Unfiltered, SQLite would walk the sort's index and fetch each row at random, about 60% slower for
    the export's 200,000 rows than reading the salon's rows in place through the salon index and sorting them (the
    partial index of the customers not forgotten: the export's own condition, so SQLite may use it).
    """
    sql, params = sqlite_csv_query(customer_filter, salon, now).sql()
    table = 'FROM "salon_customer" AS "t1" '
    if not customer_filter.is_filtered and sql.count(table) == 1:
        sql = sql.replace(table, f'{table}INDEXED BY "{SALON_INDEX}" ')
    return sql, params


def tag_cell(names):
    """The tags cell of names joined by TAG_SEPARATOR: sorted, joined by ", ", guarded."""
    return safe_cell(", ".join(sorted(names.split(TAG_SEPARATOR))))


def local_day_function(timezone):
    """Return f(stored UTC timestamp) giving the local date "YYYY-MM-DD" in `timezone` (None stays None).

    SQLite calls it twice a row, so it remembers each UTC hour whose instants all fall on one local day:
    the offset is the same at both ends of the hour (zones change offset at most once an hour) and so is
    the local date. Other hours (a day or an offset changing inside them) are converted one timestamp at a time.
    """
    zone = ZoneInfo(timezone)
    days_by_hour = {}

    def exact(text):
        moment = text if isinstance(text, datetime.datetime) else datetime.datetime.fromisoformat(text)
        return moment.replace(tzinfo=datetime.UTC).astimezone(zone).date().isoformat()

    def hour_day(hour):
        try:
            utc_start = datetime.datetime.fromisoformat(f"{hour}:00:00").replace(tzinfo=datetime.UTC)
        except ValueError:  # not "YYYY-MM-DD HH:..."
            return None
        start = utc_start.astimezone(zone)  # arithmetic in UTC: an aware datetime adds in wall-clock time
        end = (utc_start + datetime.timedelta(hours=1, microseconds=-1)).astimezone(zone)
        same = start.utcoffset() == end.utcoffset() and start.date() == end.date()
        return start.date().isoformat() if same else None

    def local_day(text):
        if text is None:
            return None
        if not isinstance(text, str):
            return exact(text)
        hour = text[:13]
        if hour not in days_by_hour:
            days_by_hour[hour] = hour_day(hour)
        return days_by_hour[hour] or exact(text)

    return local_day


def sqlite_functions(salon):
    """Put the export's Python functions on this thread's SQLite connection (for sqlite_csv_query)."""
    connection = db.connection()
    connection.create_function("salon_web_local_day", 1, local_day_function(salon.timezone), deterministic=True)
    connection.create_function("salon_web_tag_cell", 1, tag_cell, deterministic=True)


def iter_rows(query):
    """Yield a query's raw rows without loading them all: a named (server-side) cursor on PostgreSQL.

    The bare DB-API cursor is used on purpose: peewee's per-row conversion would cost more than
    writing the CSV row. Call inside a transaction.
    """
    sql, params = query.sql()
    if is_postgres():
        _settle_for_a_long_read()
        cursor = db.cursor(named_cursor=True)
        cursor.itersize = 5_000
    else:
        cursor = db.cursor()
    try:
        cursor.execute(sql, params)
        yield from cursor
    finally:
        cursor.close()


def _settle_for_a_long_read():
    """PostgreSQL, in the current transaction: settings for reading every matching row once."""
    # Plan for all rows, not the first 10% (cursors default to fast-start plans); room to sort in memory.
    # (No JIT either, on every connection: salon_web.db.open_database.)
    db.execute_sql("SET LOCAL cursor_tuple_fraction = 1.0")
    db.execute_sql("SET LOCAL work_mem = '64MB'")
    # One process: parallel workers would each rebuild the tags hash, and the stream is sequential.
    db.execute_sql("SET LOCAL max_parallel_workers_per_gather = 0")
    allow_long_statements()  # a large export may outlast a page's statement timeout


class _CopyPipe:
    """The file COPY writes into (on a thread of its own), read as chunks by the response's generator.

    psycopg2 writes one row per call; rows are gathered into ~64 KB chunks, and at most a few chunks wait,
    so memory stays flat however large the export. Closing early cancels the COPY on the server.
    """

    CHUNK = 64 * 1024
    _DONE = object()

    def __init__(self, connection, sql, params):
        self.connection, self.statement = connection, (sql, params)
        self.chunks = queue.Queue(maxsize=4)
        self.pending, self.size = [], 0
        self.stopped = threading.Event()
        self.error = None

    def write(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.pending.append(data)
        self.size += len(data)
        if self.size >= self.CHUNK:
            self._hand_over()

    def _hand_over(self):
        chunk, self.pending, self.size = b"".join(self.pending), [], 0
        while not self.stopped.is_set():
            try:
                self.chunks.put(chunk, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _ExportAbandoned()

    def run(self, sql, params):
        try:
            with self.connection.cursor() as cursor:
                cursor.copy_expert(cursor.mogrify(sql, params), self)
            if self.pending:
                self._hand_over()
        except BaseException as error:  # handed to the reading side, which raises it there
            self.error = error
        finally:
            self.chunks.put(self._DONE)

    def __iter__(self):
        worker = threading.Thread(target=self.run, args=self.statement, daemon=True)
        worker.start()
        try:
            while (chunk := self.chunks.get()) is not self._DONE:
                yield chunk
        finally:
            if worker.is_alive():  # the reader left early (client gone): stop the COPY and drain
                self.stopped.set()
                self.connection.cancel()
                while self.chunks.get() is not self._DONE:
                    pass
            worker.join()
        if self.error is not None and not isinstance(self.error, _ExportAbandoned):
            raise self.error


class _ExportAbandoned(Exception):
    pass


def _copy_rows(customer_filter, salon, row_end, now):
    """PostgreSQL: the export's rows as byte chunks straight from COPY. Call inside a transaction."""
    _settle_for_a_long_read()
    db.execute_sql("SET LOCAL client_encoding = 'UTF8'")
    db.execute_sql("SET LOCAL DateStyle = 'ISO, YMD'")  # dates as YYYY-MM-DD, whatever the server's default
    db.execute_sql("SELECT set_config('TimeZone', %s, true)", (salon.timezone,))  # local days (_local_day)
    return _CopyPipe(db.connection(), *copy_statement(customer_filter, salon, row_end, now))


def csv_chunks(customer_filter, salon, counter, now=None, language="en"):
    """Yield the CSV file (BOM, header in `language`, rows) as UTF-8 byte chunks; `counter["rows"]` counts rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header(salon.currency, language))
    with db.atomic():  # COPY and the named cursor read one snapshot, inside a transaction
        if is_postgres():
            # One chunk is held back, so an export of one chunk is read whole inside the transaction
            # and sent after it (as the cursor path did for exports under FLUSH_ROWS rows).
            held = buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            row_end = secrets.token_hex(16)
            copied_row_end = f",{row_end}\n".encode()  # the last column's comma, the token, COPY's LF
            for number, chunk in enumerate(_copy_rows(customer_filter, salon, row_end, now)):
                counter["rows"] += chunk.count(copied_row_end)
                lines = chunk.replace(copied_row_end, b"\r\n")
                if number == 0:
                    held += lines  # the header travels with the first rows
                    continue
                yield held
                held = lines
            buffer.write(held.decode("utf-8"))
        else:
            # SQLite hands over finished cells, so each batch of rows goes to csv.writer in one call.
            sqlite_functions(salon)
            cursor = db.cursor()
            try:
                cursor.execute(*sqlite_csv_statement(customer_filter, salon, now))
                while rows := cursor.fetchmany(FLUSH_ROWS):
                    writer.writerows(rows)
                    counter["rows"] += len(rows)
                    if len(rows) == FLUSH_ROWS:
                        yield buffer.getvalue().encode("utf-8")
                        buffer.seek(0)
                        buffer.truncate()
            finally:
                cursor.close()
    yield buffer.getvalue().encode("utf-8")


def stream_csv(customer_filter, salon, *, user=None, ip=None, now=None, language="en"):
    """Yield the CSV as UTF-8 bytes in chunks; record the export (filter, rows) in the audit trail."""
    counter = {"rows": 0}
    completed = False
    try:
        yield from csv_chunks(customer_filter, salon, counter, now, language)
        completed = True
    finally:
        audit.record(
            "customer.export", salon=salon.id, user=user, ip=ip, object_type="salon_customer",
            detail={"filter": customer_filter.describe(), "rows": counter["rows"], "completed": completed},
        )
