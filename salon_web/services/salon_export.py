"""The everything export: one streamed ZIP of a salon's whole data, CSV files plus one JSON document and a README.

The archive is written by `zipfile` into a sink that is emptied after every block of rows, so the response
streams while the database cursor advances (a named server-side cursor on PostgreSQL, `export.iter_rows`) and
memory stays flat whatever the salon's size. Entries carry data descriptors (the sink cannot seek).

`customers.csv` is byte for byte the customer list's CSV export of the whole book (same headers, same cell
rules), so an import that reads that export reads this file too. Every other file is one table with its ids, so
rows can be joined: amounts in minor units, times in UTC. Free-text cells are guarded against spreadsheet
formulas like the list export (`export.safe_cell`). A forgotten client's card is left out; their anonymised
sales, appointments and visits stay, pointing at a customer id that no customer file lists.
"""
import csv
import datetime
import io
import json
import zipfile

from peewee import JOIN, CharField, JSONField, TextField

from salon_web.db import db, is_postgres
from salon_web.models import (
    Appointment, AuditEvent, CustomerCommunication, CustomerTag, Membership, Sale, SaleItem, SalonCustomer,
    SavedSegment, Tag, User, Visit, utcnow,
)
from salon_web.services import audit, export
from salon_web.services.customer_filter import CustomerFilter, checked
from salon_web.services.money import minor_digits

FLUSH_ROWS = 1_000
FORMAT = "salon_web everything export 1"


def _columns(*pairs):
    """[(field, column name, description)] from (field, description) pairs."""
    return [(field, field.column_name, description) for field, description in pairs]


def _not_forgotten(query):
    return query.where(SalonCustomer.forgotten_at.is_null())


# (file name, what one row is, the query for the salon, [(field, column, description)])
def _tables(salon):
    card = SalonCustomer
    return [
        ("customer_records.csv", "One row per client card (forgotten clients are left out).",
         lambda: _not_forgotten(card.in_salon(salon)), _columns(
             (card.id, "The card's id; other files' customer_id refer to it"),
             (card.full_name, "Name"), (card.phone, "Phone as typed"),
             (card.phone_e164, "Phone in international E.164 form"), (card.email, "E-mail address"),
             (card.birthday, "Birthday (YYYY-MM-DD)"), (card.notes, "Free notes"),
             (card.preferences, "Preferences as JSON: preferred_employee (a staff user_id), allergies, "
                                "special_requests, preferred_times, preferred_days, extra"),
             (card.follow_up_on, "Follow-up date (YYYY-MM-DD)"),
             (card.communication_preferences, "Channels accepted for service messages, as a JSON list"),
             (card.marketing_consent_at, "When marketing consent was given (UTC)"),
             (card.marketing_consent_withdrawn_at, "When marketing consent was withdrawn (UTC)"),
             (card.visit_count, "Visits (from visits.csv)"), (card.total_spent, "Total spent, minor units"),
             (card.first_visit_at, "First visit (UTC)"), (card.last_visit_at, "Last visit (UTC)"),
             (card.created_at, "Card created (UTC)"), (card.updated_at, "Card last changed (UTC)"))),
        ("tags.csv", "One row per tag.", lambda: Tag.in_salon(salon), _columns(
            (Tag.id, "The tag's id"), (Tag.name, "Its name"))),
        ("customer_tags.csv", "One row per tag on a card.", lambda: CustomerTag.in_salon(salon), _columns(
            (CustomerTag.customer, "customer_records.csv id"), (CustomerTag.tag, "tags.csv id"))),
        ("sales.csv", "One row per sale; a sale is voided, never deleted.", lambda: Sale.in_salon(salon), _columns(
            (Sale.id, "The sale's id"), (Sale.customer, "customer_records.csv id, empty for a walk-in"),
            (Sale.appointment, "appointments.csv id when the sale paid an appointment"),
            (Sale.total, "Total, minor units"), (Sale.status, "completed or voided"),
            (Sale.sold_at, "When it was sold (UTC)"), (Sale.created_by, "staff.csv user_id of who recorded it"),
            (Sale.created_at, "When it was recorded (UTC)"), (Sale.voided_at, "When it was voided (UTC)"),
            (Sale.voided_by, "staff.csv user_id of who voided it"), (Sale.void_reason, "Why it was voided"))),
        ("sale_items.csv", "One row per line of a sale.", lambda: SaleItem.in_salon(salon), _columns(
            (SaleItem.id, "The line's id"), (SaleItem.sale, "sales.csv id"), (SaleItem.description, "What was sold"),
            (SaleItem.quantity, "How many"), (SaleItem.unit_price, "Unit price, minor units"))),
        ("appointments.csv", "One row per appointment.", lambda: Appointment.in_salon(salon), _columns(
            (Appointment.id, "The appointment's id"), (Appointment.customer, "customer_records.csv id"),
            (Appointment.employee, "staff.csv user_id of the employee"), (Appointment.service_name, "Service"),
            (Appointment.price, "Price, minor units"), (Appointment.scheduled_at, "Start (UTC)"),
            (Appointment.duration_minutes, "Length in minutes"),
            (Appointment.status, "scheduled, confirmed, completed, cancelled or no_show"),
            (Appointment.completed_at, "When it was completed (UTC)"),
            (Appointment.created_at, "When it was booked (UTC)"))),
        ("communications.csv", "One row per message or call recorded for a client.",
         lambda: CustomerCommunication.in_salon(salon), _columns(
             (CustomerCommunication.id, "The message's id"),
             (CustomerCommunication.customer, "customer_records.csv id"),
             (CustomerCommunication.type, "sms, email, phone or in_app"),
             (CustomerCommunication.purpose, "Why it was sent (appointment_reminder, marketing, ...)"),
             (CustomerCommunication.status, "pending, sent, delivered or failed"),
             (CustomerCommunication.subject, "Subject"), (CustomerCommunication.message, "Text"),
             (CustomerCommunication.recipient, "Phone or address it went to"),
             (CustomerCommunication.metadata, "Extra details as JSON"),
             (CustomerCommunication.sent_by, "staff.csv user_id of who recorded it"),
             (CustomerCommunication.created_at, "When it was recorded (UTC)"),
             (CustomerCommunication.status_updated_at, "When its status last changed (UTC)"))),
        ("visits.csv", "The visit ledger: one row per visit, the source of every card's visit figures.",
         lambda: Visit.in_salon(salon), _columns(
             (Visit.id, "The visit's id"), (Visit.customer, "customer_records.csv id"),
             (Visit.occurred_at, "When (UTC)"), (Visit.amount, "Amount, minor units"),
             (Visit.source_type, "sale or appointment"), (Visit.source_id, "The sales.csv or appointments.csv id"))),
        ("segments.csv", "One row per saved customer-list filter.", lambda: SavedSegment.in_salon(salon), _columns(
            (SavedSegment.id, "The segment's id"), (SavedSegment.name, "Its name"),
            (SavedSegment.query, "The customer list's query string it stands for"),
            (SavedSegment.created_by, "staff.csv user_id of who saved it"),
            (SavedSegment.created_at, "When it was saved (UTC)"))),
        ("staff.csv", "One row per member of the salon's staff.",
         lambda: (User.select(User.id, User.name, User.email, Membership.role).join(Membership)
                  .where(Membership.salon == salon.id)),
         [(User.id, "user_id", "The user's id (other files' *_by and employee columns)"),
          (User.name, "name", "Name"), (User.email, "email", "Login e-mail"),
          (Membership.role, "role", "owner or employee")]),
        ("audit_events.csv", "The salon's audit trail: logins, refused access, exports, edits, merges.",
         lambda: AuditEvent.select().where(AuditEvent.salon == salon.id), _columns(
             (AuditEvent.id, "The event's id"), (AuditEvent.at, "When (UTC)"),
             (AuditEvent.action, "What happened (customer.updated, customer.export, ...)"),
             (AuditEvent.user, "staff.csv user_id of who did it (an admin may not be in staff.csv)"),
             (AuditEvent.object_type, "What it was about"), (AuditEvent.object_id, "That object's id"),
             (AuditEvent.detail, "Details as JSON"))),
    ]


def readme(salon):
    """The README.txt inside the archive: every file and every column."""
    lines = [f"Everything {salon.name} keeps in salon_web ({FORMAT}).", "",
             "All CSV files are UTF-8 (with a byte order mark), comma-separated, with a header row. A cell that a",
             "spreadsheet would run as a formula (it starts with =, +, -, @, tab or carriage return) starts with an",
             "apostrophe. Amounts are whole numbers of the currency's minor units "
             f"({salon.currency}: {minor_digits(salon.currency)} decimal digits) except in customers.csv; times are",
             "UTC (YYYY-MM-DD HH:MM:SS) except in customers.csv, whose dates are the salon's local days.",
             "A client who asked to be forgotten has no row in customers.csv or customer_records.csv; their",
             "anonymised sales, appointments and visits remain, with a customer_id no customer file lists.", "",
             "customers.csv", "  The customer list's own CSV export of every client, the same columns as the list's",
             "  Export CSV button (an import reads it back):"]
    lines += [f"  - {name}" for name in export.header(salon.currency)]
    for name, what, _, columns in _tables(salon):
        lines += ["", name, f"  {what}"] + [f"  - {column}: {description}" for _, column, description in columns]
    lines += ["", "salon.json", "  One JSON object: format, exported_at (UTC), salon (id, name, country, timezone, currency,",
              "  currency_minor_digits), customers (one object per card: "
              + ", ".join(JSON_CARD) + ", tags as a list of names; preferences and",
              "  communication_preferences as JSON values) and rows (the number of rows of each file).", ""]
    return "\n".join(lines)


def _cell(value):
    """A text or JSON cell, formula-guarded (numbers, dates and NULLs go to the csv module as they are)."""
    if isinstance(value, (dict, list)):
        return export.safe_cell(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, str):
        return export.safe_cell(value)
    return value


def _row_cells(fields):
    """Return a function making one raw row's cells: only the text and JSON columns need work."""
    textual = [index for index, field in enumerate(fields) if isinstance(field, (CharField, TextField, JSONField))]

    def cells(row):
        row = list(row)
        for index in textual:
            if row[index] is not None:
                row[index] = _cell(row[index])
        return row

    return cells


class _Sink:
    """A write-only file for zipfile that hands over what was written since the last `take`."""

    def __init__(self):
        self._parts = []
        self._position = 0

    def write(self, data):
        self._parts.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self):
        return self._position

    def flush(self):
        pass

    def take(self):
        data = b"".join(self._parts)
        self._parts = []
        return data


def _csv_entry(archive, sink, name, header, rows, counts):
    """Write one CSV file into the archive, yielding the archive's bytes every FLUSH_ROWS rows."""
    info = zipfile.ZipInfo(name, date_time=utcnow().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(export.BOM)
    writer.writerow(header)
    count = 0
    with archive.open(info, "w", force_zip64=True) as entry:
        for row in rows:
            writer.writerow(row)
            count += 1
            if count % FLUSH_ROWS == 0:
                entry.write(buffer.getvalue().encode("utf-8"))
                buffer.seek(0)
                buffer.truncate()
                yield sink.take()
        entry.write(buffer.getvalue().encode("utf-8"))
    counts[name] = count
    yield sink.take()


def _text_entry(archive, name, text):
    info = zipfile.ZipInfo(name, date_time=utcnow().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text.encode("utf-8"))


def _customers_entry(archive, sink, salon, counts):
    """customers.csv: the list's CSV export of the whole book, the very bytes the list export writes."""
    everyone = checked(CustomerFilter(), salon)  # the list's default order
    info = zipfile.ZipInfo("customers.csv", date_time=utcnow().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    counter = {"rows": 0}
    with archive.open(info, "w", force_zip64=True) as entry:
        for chunk in export.csv_chunks(everyone, salon, counter):
            entry.write(chunk)
            yield sink.take()
    counts["customers.csv"] = counter["rows"]
    yield sink.take()


JSON_CARD = ("id", "full_name", "phone", "phone_e164", "email", "birthday", "notes", "preferences", "follow_up_on",
             "communication_preferences", "marketing_consent_at", "marketing_consent_withdrawn_at", "created_at")


def _json_value(value, column):
    if isinstance(value, str) and column in ("preferences", "communication_preferences"):
        return json.loads(value)  # SQLite's raw cursor returns JSON columns as text
    if isinstance(value, (datetime.datetime, datetime.date)):
        return str(value)
    return value


def _json_entry(archive, sink, salon, counts):
    """Write salon.json: the salon, every client card with its tags, preferences and consents, and the row counts."""
    info = zipfile.ZipInfo("salon.json", date_time=utcnow().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    tags = export.tags_by_customer(salon)
    query = (_not_forgotten(SalonCustomer.in_salon(salon, *(getattr(SalonCustomer, c) for c in JSON_CARD),
                                                    tags.c.names))
             .join(tags, JOIN.LEFT_OUTER, on=(tags.c.customer_id == SalonCustomer.id)).order_by(SalonCustomer.id))
    head = {"format": FORMAT, "exported_at": str(utcnow()),
            "salon": {"id": salon.id, "name": salon.name, "country": salon.country, "timezone": salon.timezone,
                      "currency": salon.currency, "currency_minor_digits": minor_digits(salon.currency)}}
    with archive.open(info, "w", force_zip64=True) as entry:
        entry.write(json.dumps(head, ensure_ascii=False)[:-1].encode("utf-8") + b', "customers": [')
        count = 0
        for row in export.iter_rows(query):
            card = {column: _json_value(value, column) for column, value in zip(JSON_CARD, row)}
            card["tags"] = sorted(row[-1].split(export.TAG_SEPARATOR)) if row[-1] else []
            entry.write((", " if count else "").encode("utf-8") + json.dumps(card, ensure_ascii=False).encode("utf-8"))
            count += 1
            if count % FLUSH_ROWS == 0:
                yield sink.take()
        counts["salon.json customers"] = count
        entry.write(b'], "rows": ' + json.dumps(counts).encode("utf-8") + b"}")
    yield sink.take()


def file_name(salon, today=None):
    """The archive's name: the salon's slug and the day."""
    return f"{salon.slug}-everything-{(today or utcnow().date()).isoformat()}.zip"


def stream_everything(salon, *, user=None, ip=None):
    """Yield the salon's whole data as one ZIP archive in chunks; record the export in the audit trail."""
    counts, completed = {}, False
    try:
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
            _text_entry(archive, "README.txt", readme(salon))
            with db.atomic():  # named cursors live inside a transaction
                yield from _customers_entry(archive, sink, salon, counts)
                for name, _, query, columns in _tables(salon):
                    selected = query().select(*(field for field, _, _ in columns)).order_by(columns[0][0])
                    cells = _row_cells([field for field, _, _ in columns])
                    rows = (cells(row) for row in export.iter_rows(selected))
                    yield from _csv_entry(archive, sink, name, [column for _, column, _ in columns], rows, counts)
                yield from _json_entry(archive, sink, salon, counts)
        yield sink.take()
        completed = True
    finally:
        audit.record("salon.export", salon=salon.id, user=user, ip=ip, object_type="salon", object_id=salon.id,
                     detail={"rows": counts, "completed": completed})
