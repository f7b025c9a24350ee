"""Importing a client book into one salon: dry run, apply (a chunk per transaction), rejected rows, undo.

Upsert within the salon only: a row matches this salon's card by normalised phone, else by e-mail (an
e-mail match counts only when the row or the card has no phone: families share an address). A matched
card is updated field by field and never loses what the file leaves empty: notes are appended, tags
added, consent given or withdrawn. Rows of the file that match each other are one client: the later
row updates what the earlier one created. Every query names this salon; nothing depends on another
salon's cards (the identity rule, ARCHITECTURE.md).

Writes are batched: per chunk of CHUNK rows one transaction inserts the new cards with insert-many
(RETURNING their ids, in VALUES order as PostgreSQL and SQLite give them), attaches tags with one
insert-many, updates matched cards one statement each, stores the rows' results and the progress.
"""
import dataclasses
import datetime
import json

from peewee import JSONField

from salon_web.db import db, is_postgres, refresh_planner_statistics
from salon_web.models import (
    Appointment,
    Customer,
    CustomerCommunication,
    CustomerImport,
    CustomerImportRow,
    CustomerTag,
    Sale,
    SalonCustomer,
    Tag,
    Visit,
    utcnow,
)
from salon_web.models.base import column_list
from salon_web.models.imports import DONE, FAILED, PLANNING, PREVIEWED, QUEUED, RUNNING, UNDONE, UPLOADED
from salon_web.models.visits import SOURCE_IMPORT
from salon_web.services import audit, export, import_mapping, visits
from salon_web.services.clock import to_local
from salon_web.services.customers import identity_for_phone
from salon_web.services.export import safe_cell
from salon_web.services.import_rows import RowError, read_row
from salon_web.services.text import fold
from salon_web.texts import N_, _l

CHUNK = 1_000
# What an import writes in bulk: statistics refreshed when it is done (db.refresh_planner_statistics).
IMPORTED_TABLES = ("customer", "salon_customer", "tag", "customer_tag", "visit")
UNDO_DAYS = 7
CONTACT = ("full_name", "phone", "phone_e164", "email", "birthday")
RESTORABLE = CONTACT + ("name_search", "notes", "marketing_consent_at", "marketing_consent_withdrawn_at")
ACTIONS = ("create", "update", "unchanged", "skip", "error")
# The import's status and a row's action (stored values) in the owner's words.
STATUS_LABELS = {UPLOADED: _l("Choose the columns"), PLANNING: _l("Dry run in progress"), PREVIEWED: _l("Dry run ready"),
                 QUEUED: _l("Waiting to start"), RUNNING: _l("Importing"), DONE: _l("Imported"), FAILED: _l("Stopped"),
                 UNDONE: _l("Undone")}
ACTION_LABELS = {"create": _l("create"), "update": _l("update"), "unchanged": _l("unchanged"), "skip": _l("skip"),
                 "error": _l("error")}


@dataclasses.dataclass
class Card:
    """A card as the planner sees it: this salon's stored card (id set) or one a row of this file creates."""

    values: dict
    tags: set
    id: int | None = None
    version: int = 1
    row_number: int | None = None  # the row of this file that creates it
    original: dict | None = None  # a stored card's columns before this chunk
    changes: dict = dataclasses.field(default_factory=dict)  # a stored card's pending columns
    visits: set = dataclasses.field(default_factory=set)  # (occurred_at, amount) of its visits, to skip repeats
    first_update: "Outcome | None" = None


@dataclasses.dataclass
class Outcome:
    row_number: int
    action: str
    reason: str = ""
    card: Card | None = None
    new_tags: tuple = ()
    row_id: int | None = None
    cells: list | None = None
    before: dict | None = None  # a stored card's first update in a chunk: the columns as they were
    visit: tuple | None = None  # (occurred_at, amount) of a past visit this row adds
    version_after: int | None = None

    @property
    def customer_id(self):
        return self.card.id if self.card is not None else None


class Planner:
    """Decide, row by row and a chunk at a time, what a file does to one salon's cards.

    `remember=True` (a dry run) keeps the cards the file creates or changes across chunks in memory; the
    apply pass writes each chunk before planning the next, so the database remembers for it.
    """

    def __init__(self, salon, headers, mapping, *, today, remember=True):
        self.salon, self.headers, self.mapping, self.today, self.remember = salon, headers, mapping, today, remember
        self.by_phone, self.by_email = {}, {}

    def plan(self, numbered_cells):
        """Return one Outcome per (row_number, cells), in order."""
        if not self.remember:
            self.by_phone, self.by_email = {}, {}
        read = []
        for row_number, cells in numbered_cells:
            try:
                read.append((row_number, read_row(cells, self.headers, self.mapping, country=self.salon.country,
                                                  today=self.today, currency=self.salon.currency,
                                                  timezone=self.salon.timezone)))
            except RowError as error:
                read.append((row_number, str(error)))
        self._load_cards([values for _, values in read if not isinstance(values, str)])
        return [self._decide(n, values) for n, values in read]

    def _load_cards(self, rows):
        """Fetch this salon's cards (and their tags) that the chunk's phones or e-mails name."""
        phones = {r.phone_e164 for r in rows if r.phone_e164 and r.phone_e164 not in self.by_phone}
        emails = {r.email for r in rows if r.email and r.email not in self.by_email}
        if not phones and not emails:
            return
        condition = SalonCustomer.phone_e164.in_(list(phones)) if phones else None
        if emails:
            by_email = SalonCustomer.email.in_(list(emails))
            condition = by_email if condition is None else condition | by_email
        columns = [getattr(SalonCustomer, name) for name in RESTORABLE]
        stored = list(SalonCustomer.in_salon(self.salon, SalonCustomer.id, SalonCustomer.version, *columns)
                      .where(condition).order_by(SalonCustomer.id).dicts())
        tags = {}
        if stored:
            query = (CustomerTag.in_salon(self.salon, CustomerTag.customer, Tag.name).join(Tag)
                     .where(CustomerTag.customer.in_([row["id"] for row in stored])).tuples())
            for customer_id, name in query:
                tags.setdefault(customer_id, set()).add(name)
        known_visits = {}
        if stored and "visit_date" in self.mapping:
            query = (Visit.in_salon(self.salon, Visit.customer, Visit.occurred_at, Visit.amount)
                     .where(Visit.customer.in_([row["id"] for row in stored])).tuples())
            for customer_id, occurred_at, amount in query:
                known_visits.setdefault(customer_id, set()).add((occurred_at, amount))
        for row in stored:
            card = Card(values={name: row[name] for name in RESTORABLE}, tags=tags.get(row["id"], set()),
                        id=row["id"], version=row["version"], visits=known_visits.get(row["id"], set()))
            card.original = dict(card.values)
            self._index(card)

    def _index(self, card):
        if card.values.get("phone_e164"):
            self.by_phone.setdefault(card.values["phone_e164"], card)
        if card.values.get("email"):
            self.by_email.setdefault(card.values["email"], card)

    def _match(self, row):
        card = self.by_phone.get(row.phone_e164) if row.phone_e164 else None
        if card is None and row.email:
            card = self.by_email.get(row.email)
            if card is not None and row.phone_e164 and card.values.get("phone_e164"):
                card = None  # same address, another phone: someone else in the family
        return card

    def _decide(self, row_number, row):
        if isinstance(row, str):
            return Outcome(row_number, "error", row)
        if row.is_empty:
            return Outcome(row_number, "skip", "Nothing in the mapped columns.")
        card = self._match(row)
        if card is None:
            if not row.full_name:
                return Outcome(row_number, "error", "No name: a new client needs a name.")
            return self._create(row_number, row)
        return self._update(row_number, row, card)

    def _create(self, row_number, row):
        values = {name: getattr(row, name) for name in CONTACT}
        values.update(name_search=fold(row.full_name), notes=row.notes,
                      marketing_consent_at=utcnow() if row.marketing_consent else None,
                      marketing_consent_withdrawn_at=None)
        card = Card(values=values, tags=set(row.tags), row_number=row_number)
        self._index(card)
        visit = (row.visit_at, row.visit_amount) if row.visit_at else None
        card.visits.update([visit] if visit else [])
        return Outcome(row_number, "create", row.remark, card, new_tags=row.tags, visit=visit)

    def _update(self, row_number, row, card):
        changes = {name: getattr(row, name) for name in CONTACT
                   if getattr(row, name) not in (None, "") and getattr(row, name) != card.values.get(name)}
        if "phone_e164" not in changes:
            changes.pop("phone", None)  # the same number typed another way
        if "full_name" in changes:
            changes["name_search"] = fold(changes["full_name"])
        notes = card.values.get("notes") or ""
        if row.notes and row.notes not in notes:
            changes["notes"] = f"{notes}\n{row.notes}" if notes else row.notes
        consenting = _has_consent(card.values)
        if row.marketing_consent is True and not consenting:
            changes["marketing_consent_at"] = utcnow()
        elif row.marketing_consent is False and consenting:
            changes["marketing_consent_withdrawn_at"] = utcnow()
        new_tags = tuple(t for t in row.tags if t not in card.tags)
        visit = (row.visit_at, row.visit_amount) if row.visit_at and (row.visit_at, row.visit_amount) not in card.visits \
            else None
        source = f"Same client as row {card.row_number}" if card.id is None or card.row_number else (
            f"Matches the card of {card.values['full_name']}")
        if not changes and not new_tags and not visit:
            return Outcome(row_number, "unchanged", _join(source + ": nothing new.", row.remark), card)
        card.values.update(changes)
        card.tags.update(new_tags)
        card.visits.update([visit] if visit else [])
        self._index(card)
        described = _describe(changes, new_tags, visit, self.salon.timezone)
        outcome = Outcome(row_number, "update", _join(f"{source}: {described}.", row.remark),
                          card, new_tags=new_tags, visit=visit)
        if card.original is not None:  # a stored card: its changes are written as one UPDATE
            card.changes.update(changes)
            card.first_update = card.first_update or outcome
        return outcome


def _has_consent(values):
    given, withdrawn = values.get("marketing_consent_at"), values.get("marketing_consent_withdrawn_at")
    return given is not None and (withdrawn is None or withdrawn < given)


def _describe(changes, new_tags, visit=None, timezone="UTC"):
    labels = {"full_name": "name", "phone_e164": "phone", "email": "e-mail", "birthday": "birthday",
              "notes": "notes", "marketing_consent_at": "consent given", "marketing_consent_withdrawn_at":
              "consent withdrawn"}
    parts = [labels[name] for name in changes if name in labels]
    if new_tags:
        parts.append("tags " + ", ".join(new_tags))
    if visit:
        parts.append(f"a visit on {to_local(visit[0], timezone):%Y-%m-%d}")
    return ", ".join(parts)


def _join(*parts):
    return " ".join(p for p in parts if p)


def count(outcomes, counts=None):
    """Return {action: rows} for these outcomes added to `counts`."""
    counts = dict(counts or {action: 0 for action in ACTIONS})
    for outcome in outcomes:
        counts[outcome.action] = counts.get(outcome.action, 0) + 1
    return counts


# --- uploads, dry runs and the apply pass -----------------------------------------------------------------

def start_import(salon, table, file_name, *, user=None):
    """Store an uploaded Table as a new import (rows kept as text, mapping suggested); return it."""
    with db.atomic():
        customer_import = CustomerImport.create(
            salon=salon, created_by=user, file_name=(file_name or "upload")[:255], file_format=table.file_format,
            headers=table.headers, mapping=import_mapping.suggest(table.headers, salon), total_rows=len(table.rows))
        for start in range(0, len(table.rows), CHUNK):
            _insert(CustomerImportRow, ("salon", "customer_import", "row_number", "cells", "tags_added", "reason"),
                    [(salon.id, customer_import.id, start + i + 2, cells, [], "")
                     for i, cells in enumerate(table.rows[start:start + CHUNK])])
    return customer_import


def stored_chunks(customer_import, after_row=0):
    """Yield the import's stored rows a chunk at a time, in file order, from the row after `after_row`."""
    salon = customer_import.salon_id
    while True:
        chunk = list(CustomerImportRow.in_salon(salon, CustomerImportRow.id, CustomerImportRow.row_number,
                                                CustomerImportRow.cells)
                     .where((CustomerImportRow.customer_import == customer_import.id)
                            & (CustomerImportRow.row_number > after_row))
                     .order_by(CustomerImportRow.row_number).limit(CHUNK))
        if not chunk:
            return
        yield chunk
        after_row = chunk[-1].row_number


def start_dry_run(customer_import, salon, mapping):
    """Record the chosen mapping and mark the import as being dry-run; False once it has been applied."""
    return bool(CustomerImport.update(mapping=mapping, status=PLANNING, processed_rows=0, counts={}).where(
        (CustomerImport.salon == salon) & (CustomerImport.id == customer_import.id)
        & CustomerImport.status.in_([UPLOADED, PLANNING, PREVIEWED])).execute())


def dry_run(customer_import, salon, mapping, *, today):
    """Plan every stored row under `mapping` and keep each row's action and reason; no card is touched.

    A transaction per chunk, with the progress, so the page can show how far a long dry run is.
    """
    planner = Planner(salon, customer_import.headers, mapping, today=today, remember=True)
    counts, this_import = None, (CustomerImport.salon == salon) & (CustomerImport.id == customer_import.id)
    CustomerImport.update(processed_rows=0).where(this_import).execute()
    for chunk in stored_chunks(customer_import):
        with db.atomic():
            outcomes = planner.plan([(row.row_number, row.cells) for row in chunk])
            for row, outcome in zip(chunk, outcomes):
                outcome.row_id, outcome.cells = row.id, row.cells
            _store_outcomes(salon, customer_import, outcomes, written=False)
            counts = count(outcomes, counts)
            CustomerImport.update(processed_rows=CustomerImport.processed_rows + len(chunk)).where(
                this_import).execute()
    with db.atomic():
        CustomerImport.update(mapping=mapping, status=PREVIEWED, counts=counts or count([])).where(
            this_import).execute()
        import_mapping.remember(salon, customer_import.headers, mapping)
    return counts or count([])


def plan_table(salon, table, mapping, *, today):
    """Return (counts, outcomes) of a dry run of a Table that is not stored (CLI, API); nothing is written."""
    planner = Planner(salon, table.headers, mapping, today=today, remember=True)
    outcomes = []
    for start in range(0, len(table.rows), CHUNK):
        outcomes += planner.plan([(start + i + 2, cells) for i, cells in enumerate(table.rows[start:start + CHUNK])])
    return count(outcomes), outcomes


def queue(customer_import, salon, *, user=None, ip=None):
    """Mark a previewed import as queued (audited); the caller enqueues the job. Refuse any other state."""
    updated = CustomerImport.update(status=QUEUED, applied_at=utcnow(), processed_rows=0).where(
        (CustomerImport.salon == salon) & (CustomerImport.id == customer_import.id)
        & (CustomerImport.status == PREVIEWED)).execute()
    if updated:
        audit.record("customer_import.queued", salon=salon, user=user, object_type="customer_import",
                     object_id=customer_import.id, ip=ip, detail={"file": customer_import.file_name,
                                                                  "dry_run": customer_import.counts})
    return bool(updated)


def apply_import(salon, import_id, *, today):
    """Apply a queued (or interrupted) import, a chunk per transaction, resuming after the last stored chunk."""
    customer_import = CustomerImport.get_in_salon(salon, import_id)
    if customer_import.status not in (QUEUED, RUNNING):
        return customer_import
    CustomerImport.update(status=RUNNING).where(
        (CustomerImport.salon == salon) & (CustomerImport.id == import_id)).execute()
    planner = Planner(salon, customer_import.headers, customer_import.mapping, today=today, remember=False)
    counts = customer_import.counts if customer_import.processed_rows else None
    done_up_to = _last_applied_row(salon, customer_import)
    try:
        for chunk in stored_chunks(customer_import, after_row=done_up_to):
            with db.atomic():
                outcomes = planner.plan([(row.row_number, row.cells) for row in chunk])
                for row, outcome in zip(chunk, outcomes):
                    outcome.row_id, outcome.cells = row.id, row.cells
                _write(salon, outcomes)
                _store_outcomes(salon, customer_import, outcomes, written=True)
                counts = count(outcomes, counts)
                CustomerImport.update(
                    processed_rows=CustomerImport.processed_rows + len(chunk), counts=counts).where(
                    (CustomerImport.salon == salon) & (CustomerImport.id == import_id)).execute()
    except Exception as error:
        CustomerImport.update(status=FAILED, error=f"Stopped: {type(error).__name__}", finished_at=utcnow()).where(
            (CustomerImport.salon == salon) & (CustomerImport.id == import_id)).execute()
        raise
    with db.atomic():
        CustomerImport.update(status=DONE, finished_at=utcnow()).where(
            (CustomerImport.salon == salon) & (CustomerImport.id == import_id)).execute()
        audit.record("customer_import.applied", salon=salon, user=customer_import.created_by_id,
                     object_type="customer_import", object_id=import_id,
                     detail={"file": customer_import.file_name, "counts": counts})
    refresh_planner_statistics(*IMPORTED_TABLES)
    return CustomerImport.get_in_salon(salon, import_id)


def _last_applied_row(salon, customer_import):
    """The last row an earlier, interrupted run of this import wrote (0 when none)."""
    if not customer_import.processed_rows:
        return 0
    return (CustomerImportRow.in_salon(salon, CustomerImportRow.row_number)
            .where(CustomerImportRow.customer_import == customer_import.id)
            .order_by(CustomerImportRow.row_number).offset(customer_import.processed_rows - 1).limit(1).scalar() or 0)


def _write(salon, outcomes):
    """Write one chunk's plan: new cards, changed cards, tags (the caller holds the transaction)."""
    now = utcnow()
    tag_ids = _ensure_tags(salon, {t for o in outcomes for t in o.new_tags})
    creates = [o for o in outcomes if o.action == "create"]
    if creates:
        phones = [o.card.values["phone_e164"] for o in creates if o.card.values["phone_e164"]]
        identities = _identities(phones, sum(1 for o in creates if not o.card.values["phone_e164"]))
        names = RESTORABLE + ("salon", "identity", "created_at", "updated_at", "version", "preferences",
                              "communication_preferences", "visit_count", "total_spent")
        rows = [tuple(o.card.values[n] for n in RESTORABLE)
                + (salon.id, identities[o.card.values["phone_e164"]] if o.card.values["phone_e164"]
                   else identities[None].pop(), now, now, 1, {}, [], 0, 0) for o in creates]
        for outcome, new_id in zip(creates, _insert(SalonCustomer, names, rows, returning=True)):
            outcome.card.id = new_id
    for card in {id(o.card): o.card for o in outcomes if o.action == "update" and o.card.changes}.values():
        _update_card(salon, card, now)
    pairs = list({(salon.id, o.card.id, tag_ids[t]) for o in outcomes for t in o.new_tags})
    for start in range(0, len(pairs), CHUNK):
        _insert(CustomerTag, ("salon", "customer", "tag"), pairs[start:start + CHUNK], ignore_conflicts=True)
    # Past visits go through the visit hook, the only writer of the figures (source "import", the row's id).
    visits.record_imported_visits(salon.id, [(o.card.id, *o.visit, o.row_id) for o in outcomes if o.visit])
    for outcome in outcomes:
        if outcome.action in ("create", "update"):
            outcome.version_after = outcome.card.version


def _update_card(salon, card, now):
    """One UPDATE of a stored card with everything this chunk changes, if nobody saved it since it was read."""
    columns = {getattr(SalonCustomer, name): value for name, value in card.changes.items()}
    if "phone_e164" in card.changes:
        columns[SalonCustomer.identity] = identity_for_phone(card.changes["phone_e164"])
    updated = SalonCustomer.update({**columns, SalonCustomer.version: SalonCustomer.version + 1,
                                    SalonCustomer.updated_at: now}).where(
        (SalonCustomer.salon == salon) & (SalonCustomer.id == card.id) & (SalonCustomer.version == card.version)
    ).execute()
    if not updated:
        raise ConcurrentEdit(card.id)
    card.first_update.before = {name: _plain(card.original.get(name)) for name in card.changes}
    card.version += 1


class ConcurrentEdit(RuntimeError):
    """A card changed between the chunk's read and its write: the chunk rolls back and the import stops."""


def _identities(phones, phoneless):
    """Return {phone: identity id} plus {None: [ids]} of fresh identities for cards without a phone."""
    found = {}
    for start in range(0, len(phones), CHUNK):
        part = phones[start:start + CHUNK]
        now = utcnow()
        _insert(Customer, ("phone_e164", "created_at"), [(p, now) for p in part], ignore_conflicts=True)
        found.update(Customer.select(Customer.phone_e164, Customer.id).where(Customer.phone_e164.in_(part)).tuples())
    found[None] = []
    if phoneless:
        now = utcnow()
        found[None] = _insert(Customer, ("phone_e164", "created_at"), [(None, now)] * phoneless, returning=True)
    return found


def _ensure_tags(salon, names):
    """Return {name: tag id} for these names, creating the salon's missing tags in one statement."""
    if not names:
        return {}
    _insert(Tag, ("salon", "name"), [(salon.id, name) for name in sorted(names)], ignore_conflicts=True)
    return dict(Tag.in_salon(salon, Tag.name, Tag.id).where(Tag.name.in_(sorted(names))).tuples())


def _store_outcomes(salon, customer_import, outcomes, *, written):
    """Store the chunk's results on its rows in one UPDATE ... FROM (VALUES ...) (not one UPDATE per row)."""
    rows = [(o.row_id, o.action, o.reason[:1000], o.customer_id if written else None,
             _json_text(o.before) if written else None, o.version_after if written else None,
             _json_text(list(o.new_tags) if written else [])) for o in outcomes]
    if is_postgres():
        one = "(%s::integer, %s, %s, %s::integer, %s::jsonb, %s::integer, %s::jsonb)"
        sql = ("UPDATE customer_import_row AS r SET action = v.action, reason = v.reason, customer_id = v.customer_id, "
               "before = v.before, version_after = v.version_after, tags_added = v.tags_added FROM (VALUES "
               + ", ".join([one] * len(rows)) + ") AS v (id, action, reason, customer_id, before, version_after, "
               "tags_added) WHERE r.salon_id = %s AND r.customer_import_id = %s AND r.row_number BETWEEN %s AND %s "
               "AND r.id = v.id")
    else:  # SQLite names a VALUES list's columns column1, column2, ...
        sql = ("UPDATE customer_import_row SET action = v.column2, reason = v.column3, customer_id = v.column4, "
               "before = v.column5, version_after = v.column6, tags_added = v.column7 FROM (VALUES "
               + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(rows)) + ") AS v WHERE customer_import_row.salon_id = ? "
               "AND customer_import_row.customer_import_id = ? AND customer_import_row.row_number BETWEEN ? AND ? "
               "AND customer_import_row.id = v.column1")
    # The row-number range lets the (import, row_number) index find the chunk: joining on ids alone
    # scanned every row of the import for each chunk (quadratic in the file's length).
    db.execute_sql(sql, [value for row in rows for value in row]
                   + [salon.id, customer_import.id, outcomes[0].row_number, outcomes[-1].row_number])


def _insert(model, names, rows, *, returning=False, ignore_conflicts=False):
    """INSERT many rows in one statement of fixed text; return the new ids in row order when `returning`.

    Building a 1,000-row insert through peewee's query builder cost more than running it; here only
    each value is converted by its field. RETURNING gives ids in VALUES order on PostgreSQL and SQLite.
    """
    if not rows:
        return []
    fields = [model._meta.fields[name] for name in names]
    marker = "%s" if is_postgres() else "?"
    one = "(" + ", ".join([marker] * len(fields)) + ")"
    sql = (f'INSERT INTO "{model._meta.table_name}" ({column_list(fields)}) VALUES ' + ", ".join([one] * len(rows))
           + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "") + (" RETURNING id" if returning else ""))
    convert = [_json_text if isinstance(field, JSONField) else field.db_value for field in fields]
    params = [to_db(value) for row in rows for to_db, value in zip(convert, row)]
    cursor = db.execute_sql(sql, params)
    return [row[0] for row in cursor.fetchall()] if returning else []


def _json_text(value):
    return None if value is None else json.dumps(value, default=str)


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _typed(name, value):
    """Return a stored `before` value as its column's Python type."""
    if value is None:
        return None
    if name == "birthday":
        return datetime.date.fromisoformat(value)
    if name.startswith("marketing_consent"):
        return datetime.datetime.fromisoformat(value)
    return value


# --- reading back: progress, rejected rows, undo ------------------------------------------------------

def imports_for(salon, limit=20):
    """Return the salon's latest imports, newest first."""
    return list(CustomerImport.in_salon(salon).order_by(CustomerImport.created_at.desc(), CustomerImport.id.desc())
                .limit(limit))


def preview_rows(salon, customer_import, *, actions=None, limit=200):
    """Return up to `limit` of the import's rows (optionally only some actions), in file order."""
    query = CustomerImportRow.in_salon(salon).where(CustomerImportRow.customer_import == customer_import.id)
    if actions:
        query = query.where(CustomerImportRow.action.in_(list(actions)))
    return list(query.order_by(CustomerImportRow.row_number).limit(limit))


def rejected_csv(salon, customer_import, language="en"):
    """Yield the CSV lines of the rows refused (error) or skipped: the file's columns, then the reason."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    words = export.translations(language)  # the header's words in the downloading user's language; cells as stored
    writer.writerow([words.gettext(N_("Row"))] + [safe_cell(h) for h in customer_import.headers]
                    + [words.gettext(N_("Action")), words.gettext(N_("Reason"))])
    yield "\ufeff" + buffer.getvalue()
    after = 0
    while True:
        rows = list(CustomerImportRow.in_salon(salon).where(
            (CustomerImportRow.customer_import == customer_import.id) & (CustomerImportRow.row_number > after)
            & CustomerImportRow.action.in_(["error", "skip"])).order_by(CustomerImportRow.row_number).limit(CHUNK))
        if not rows:
            return
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            writer.writerow([row.row_number] + [safe_cell(c) for c in row.cells] + [row.action, safe_cell(row.reason)])
        yield buffer.getvalue()
        after = rows[-1].row_number


def can_undo(customer_import, now=None):
    """True while an applied import is within its undo window."""
    now = now or utcnow()
    return (customer_import.status in (DONE, FAILED) and customer_import.applied_at is not None
            and now - customer_import.applied_at <= datetime.timedelta(days=UNDO_DAYS))


def undo_import(salon, customer_import, *, user=None, ip=None, now=None):
    """Remove the cards the import created and restore the fields it changed, except cards edited since.

    A card counts as edited since when its version moved past what the import left, or (a created card)
    when it has sales, appointments, visits or messages. Returns the report stored on the import.
    """
    if not can_undo(customer_import, now):
        raise ValueError(_l("This import can no longer be undone."))
    by_card = {}
    for row in (CustomerImportRow.in_salon(salon, CustomerImportRow.id, CustomerImportRow.customer_id,
                                           CustomerImportRow.action,
                                           CustomerImportRow.before, CustomerImportRow.version_after,
                                           CustomerImportRow.tags_added).where(
            (CustomerImportRow.customer_import == customer_import.id)
            & CustomerImportRow.customer_id.is_null(False) & CustomerImportRow.action.in_(["create", "update"]))
            .order_by(CustomerImportRow.row_number).namedtuples()):
        by_card.setdefault(row.customer_id, []).append(row)
    report = {"removed": 0, "restored": 0, "kept": []}
    with db.atomic():
        current = {}
        ids = list(by_card)
        for start in range(0, len(ids), CHUNK):
            current.update({r[0]: r[1:] for r in SalonCustomer.in_salon(
                salon, SalonCustomer.id, SalonCustomer.version, SalonCustomer.full_name)
                .where(SalonCustomer.id.in_(ids[start:start + CHUNK])).tuples()})
        in_use = _cards_in_use(salon, [i for i, rows in by_card.items() if rows[0].action == "create"])
        removable, undone_rows = [], []
        for customer_id, rows in by_card.items():
            if customer_id not in current:
                continue  # deleted since: nothing to undo
            version, name = current[customer_id]
            expected = max(r.version_after or 0 for r in rows)
            if version != expected or (rows[0].action == "create" and customer_id in in_use):
                report["kept"].append({"id": customer_id, "name": name,
                                       "reason": "edited since the import" if version != expected
                                       else "has sales, appointments or messages since the import"})
                continue
            undone_rows.extend(r.id for r in rows)
            if rows[0].action == "create":
                removable.append(customer_id)
                continue
            _restore(salon, customer_id, rows)
            report["restored"] += 1
        for start in range(0, len(undone_rows), CHUNK):
            visits.remove_imported_visits(salon.id, undone_rows[start:start + CHUNK])
        for start in range(0, len(removable), CHUNK):
            part = removable[start:start + CHUNK]
            CustomerTag.delete().where((CustomerTag.salon == salon) & CustomerTag.customer.in_(part)).execute()
            report["removed"] += SalonCustomer.delete().where(
                (SalonCustomer.salon == salon) & SalonCustomer.id.in_(part)).execute()
        report["kept"] = report["kept"][:500]
        CustomerImport.update(status=UNDONE, undone_at=utcnow(), undo_report=report).where(
            (CustomerImport.salon == salon) & (CustomerImport.id == customer_import.id)).execute()
        audit.record("customer_import.undone", salon=salon, user=user, object_type="customer_import",
                     object_id=customer_import.id, ip=ip,
                     detail={"removed": report["removed"], "restored": report["restored"],
                             "kept": [k["id"] for k in report["kept"]]})
    return report


def _cards_in_use(salon, customer_ids):
    """Return the ids among these created cards that sales, appointments, visits or messages now point at."""
    used = set()
    for start in range(0, len(customer_ids), CHUNK):
        part = customer_ids[start:start + CHUNK]
        for model in (Sale, Appointment, Visit, CustomerCommunication):
            query = model.in_salon(salon, model.customer).where(model.customer.in_(part))
            if model is Visit:  # the import's own past visits go with it
                query = query.where(Visit.source_type != SOURCE_IMPORT)
            used.update(i for (i,) in query.distinct().tuples())
    return used


def _restore(salon, customer_id, rows):
    """Put back the columns this import changed (the earliest value of each) and remove the tags it added."""
    before = {}
    for row in rows:
        for name, value in (row.before or {}).items():
            before.setdefault(name, value)
    if before:
        columns = {getattr(SalonCustomer, name): _typed(name, value) for name, value in before.items()}
        if "phone_e164" in before:
            columns[SalonCustomer.identity] = identity_for_phone(before["phone_e164"])
        SalonCustomer.update({**columns, SalonCustomer.version: SalonCustomer.version + 1,
                              SalonCustomer.updated_at: utcnow()}).where(
            (SalonCustomer.salon == salon) & (SalonCustomer.id == customer_id)).execute()
    names = {t for row in rows for t in row.tags_added}
    if names:
        tag_ids = [i for (i,) in Tag.in_salon(salon, Tag.id).where(Tag.name.in_(sorted(names))).tuples()]
        CustomerTag.delete().where((CustomerTag.salon == salon) & (CustomerTag.customer == customer_id)
                                   & CustomerTag.tag.in_(tag_ids)).execute()


def status_label(customer_import):
    """Return the import's status in the owner's words."""
    return STATUS_LABELS[customer_import.status]



def mapping_with(salon, headers, overrides):
    """Return the suggested mapping with `overrides` ({column name: field, or "" to ignore}) applied; raise ValueError."""
    fields = import_mapping.suggest(headers, salon)
    keys = [import_mapping.header_key(h) for h in headers]
    for column, field in (overrides or {}).items():
        key = import_mapping.header_key(column)
        if key not in keys:
            raise ValueError(_l("The file has no column “%(column)s” (it has: %(headers)s).", column=column,
                                headers=", ".join(headers)))
        if field and field not in import_mapping.FIELDS:
            raise ValueError(_l("“%(field)s” is not a field; use one of %(fields)s or nothing.", field=field,
                                fields=", ".join(import_mapping.FIELDS)))
        fields[keys.index(key)] = field or import_mapping.IGNORE
    return import_mapping.check_mapping(fields, headers)


def import_table(salon, table, file_name, mapping, *, today, user=None, ip=None):
    """Store a Table, dry-run it with `mapping` and queue it; return the import (the caller starts the job)."""
    customer_import = start_import(salon, table, file_name, user=user)
    dry_run(customer_import, salon, mapping, today=today)
    customer_import = CustomerImport.get_in_salon(salon, customer_import.id)
    queue(customer_import, salon, user=user, ip=ip)
    return customer_import
