"""Client-book import, service level: reading each format, suggestions, row rules, dry run, apply, undo."""
import datetime
import io

import pytest

from salon_web.db import db
from salon_web.models import AuditEvent, CustomerImport, CustomerImportRow, CustomerTag, SalonCustomer, Tag
from salon_web.services import customer_import as imports
from salon_web.services import import_mapping
from salon_web.services.customer_edit import apply_changes
from salon_web.services.field_errors import FieldErrors
from salon_web.services.import_files import read_table
from salon_web.services.import_rows import RowError, parse_date, read_row
from tests import factories

TODAY = datetime.date(2026, 12, 1)


def csv_bytes(text, encoding="utf-8"):
    return text.replace("\n", "\r\n").encode(encoding)


# --- reading files -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_any_delimiter(delimiter):
    text = delimiter.join(["Name", "Phone", "Email"]) + "\n" + delimiter.join(["Aline", "0788 123 456", "a@x.rw"]) + "\n"
    table = read_table(csv_bytes(text), "book.csv")
    assert table.headers == ["Name", "Phone", "Email"]
    assert table.rows == [["Aline", "0788 123 456", "a@x.rw"]]


@pytest.mark.parametrize("encoded", [
    "Nom;Téléphone\nÉmilie Noël;0612345678\n".encode("utf-8"),
    b"\xef\xbb\xbf" + "Nom;Téléphone\nÉmilie Noël;0612345678\n".encode("utf-8"),
    "Nom;Téléphone\nÉmilie Noël;0612345678\n".encode("cp1252"),
    "Nom;Téléphone\nÉmilie Noël;0612345678\n".encode("latin-1"),
    "Nom;Téléphone\nÉmilie Noël;0612345678\n".encode("utf-16"),
])
def test_csv_encodings(encoded):
    table = read_table(encoded, "clients.csv")
    assert table.headers == ["Nom", "Téléphone"]
    assert table.rows[0][0] == "Émilie Noël"


def test_xlsx_values_not_formulas(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone", "Birthday", "Total"])
    sheet.append(["Aline", 788123456, datetime.date(1990, 5, 21), "=1+1"])
    data = io.BytesIO()
    book.save(data)
    table = read_table(data.getvalue(), "book.xlsx")
    assert table.file_format == "xlsx"
    assert table.rows[0][:3] == ["Aline", "788123456", "1990-05-21"]
    assert table.rows[0][3] == ""  # the formula is never returned nor run; openpyxl saved no computed value


def test_vcard_folded_lines_and_fields():
    vcf = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Aline Uwase\r\nN:Uwase;Aline;;;\r\n"
           "TEL;TYPE=HOME:+250 252 000 000\r\nitem1.TEL;TYPE=CELL:+250 788 123 4\r\n 56\r\n"
           "EMAIL:aline@example.com\r\nBDAY:1990-05-21\r\nNOTE:Likes\\, tea\\nand cake\r\n"
           "CATEGORIES:VIP,Braids\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Bea\r\nEND:VCARD\r\n")
    table = read_table(vcf.encode(), "contacts.vcf")
    assert table.file_format == "vcf"
    row = dict(zip(table.headers, table.rows[0]))
    assert row["Name"] == "Aline Uwase" and row["Phone"] == "+250 788 123 456"
    assert row["Notes"] == "Likes, tea\nand cake" and row["Tags"] == "VIP,Braids" and row["Birthday"] == "1990-05-21"
    assert dict(zip(table.headers, table.rows[1]))["Name"] == "Bea"


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"   \n  \n", "empty"),
    (b"\x00\x01\x02\x03binary\x00\xff" * 50, "not a CSV"),
    (b"Name,Phone\n", "no clients"),
    (b"PK\x03\x04broken zip", "cannot be read"),
    (b"BEGIN:VCARD\nVERSION:3.0\n", "no contacts"),
    (b"Name\n" + b"Aline\n" * 20_000 + b"Bea\x00\n", "not a CSV"),  # a NUL past the sniffed start
])
def test_bad_files_refused_with_a_message(data, message):
    with pytest.raises(FieldErrors) as refused:
        read_table(data, "x")
    assert message in refused.value.errors["file"]


# --- suggestions -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers, expected", [
    (["Name", "Phone", "Email", "Visits", "Total spent (RWF)", "First visit", "Last visit", "Tags", "Notes",
      "Birthday", "Follow-up date"],  # our own export (services/export.py)
     ["full_name", "phone", "email", "", "", "", "", "tags", "notes", "birthday", ""]),
    (["First name", "Last name", "Mobile number", "Email", "Date of birth", "Note", "Accepts marketing"],  # Fresha
     ["first_name", "last_name", "phone", "email", "birthday", "notes", "marketing_consent"]),
    (["First Name", "Last Name", "Email Address", "Phone Number", "Birthday", "Memo", "Groups",
      "Email Subscription Status"],  # Square
     ["first_name", "last_name", "email", "phone", "birthday", "notes", "tags", "marketing_consent"]),
    (["First Name", "Middle Name", "Last Name", "Birthday", "Notes", "Labels", "E-mail 1 - Value",
      "Phone 1 - Value", "Phone 2 - Value"],  # Google Contacts
     ["first_name", "", "last_name", "birthday", "notes", "tags", "email", "phone", ""]),
    (["Nom complet", "Téléphone", "Courriel", "Date de naissance", "Étiquettes", "Remarques"],  # French
     ["full_name", "phone", "email", "birthday", "tags", "notes"]),
    (["Amazina", "Telefone", "Imeri", "Itariki y'amavuko", "Ibirango", "Ibisobanuro", "Yemera kwamamaza"],  # rw
     ["full_name", "phone", "email", "birthday", "tags", "notes", "marketing_consent"]),
])
def test_suggestions(headers, expected):
    assert import_mapping.suggest(headers) == expected


def test_mapping_remembered_per_salon(app):
    salon, other = factories.make_salon(), factories.make_salon()
    import_mapping.remember(salon, ["Col A", "Mobile"], ["full_name", ""])
    assert import_mapping.suggest(["col a", "Mobile"], salon) == ["full_name", ""]
    assert import_mapping.suggest(["col a", "Mobile"], other) == ["", "phone"]


# --- row rules -----------------------------------------------------------------------------------------------

H = ["Name", "Phone", "Email", "Birthday", "Tags", "Notes", "Consent"]
M = ["full_name", "phone", "email", "birthday", "tags", "notes", "marketing_consent"]


def row(**cells):
    return [cells.get(k, "") for k in ("name", "phone", "email", "birthday", "tags", "notes", "consent")]


def test_row_values_normalised():
    values = read_row(row(name=" Aline  Uwase ", phone="0788 123 456", email="ALINE@X.RW", birthday="21/05/1990",
                          tags="VIP; Braids,VIP", notes="Tea", consent="yego"), H, M, country="RW", today=TODAY)
    assert values.full_name == "Aline Uwase" and values.phone_e164 == "+250788123456" and values.email == "aline@x.rw"
    assert values.birthday == datetime.date(1990, 5, 21) and values.tags == ("VIP", "Braids")
    assert values.marketing_consent is True


@pytest.mark.parametrize("text, day", [
    ("1990-05-21", datetime.date(1990, 5, 21)), ("21/05/1990", datetime.date(1990, 5, 21)),
    ("21.05.1990", datetime.date(1990, 5, 21)), ("21-5-1990", datetime.date(1990, 5, 21)),
    ("19900521", datetime.date(1990, 5, 21)), ("1990-05-21 00:00:00", datetime.date(1990, 5, 21)),
    ("31/02/1990", None), ("21/05/90", None), ("May 21", None),
])
def test_dates(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("cells, reason", [
    (row(name="A", phone="12"), "Phone"),
    (row(name="A", email="not-an-email"), "Email"),
    (row(name="A", birthday="31/02/1990"), "is not a date"),
    (row(name="A", birthday="2030-01-01"), "between 1900 and today"),
    (row(name="=HYPERLINK(\"http://x\")"), "formula"),
    (row(name="A", consent="maybe"), "yes or no"),
    (row(name="A", tags="x" * 51), "50 characters"),
])
def test_row_errors(cells, reason):
    with pytest.raises(RowError) as refused:
        read_row(cells, H, M, country="RW", today=TODAY)
    assert reason in str(refused.value)


def test_export_guard_taken_off_and_yearless_birthday_remarked():
    values = read_row(row(name="Aline", notes="'-likes tea", birthday="--05-21"), H, M, country="RW", today=TODAY)
    assert values.notes == "-likes tea" and values.birthday is None and "no year" in values.remark


# --- dry run, apply, undo ------------------------------------------------------------------------------------

BOOK = (
    "Name,Phone,Email,Birthday,Tags,Notes,Consent\n"
    "Aline Uwase,0788 123 456,,21/05/1990,Braids,Prefers mornings,yes\n"  # matches the world's Aline by phone
    "Bea Mukamana,0788 000 111,bea@example.com,,VIP,,\n"                  # new
    "Bea M.,+250788000111,,1991-01-02,,Second line,\n"                    # same client as the row above
    "Carine,,carine@example.com,,,,\n"                                    # new, no phone
    ",,,,,,\n"                                                            # empty: dropped by the reader
    "Dede,0788 999 999,,31/02/1990,,,\n"                                  # broken date
    "=cmd|'/c calc'!A1,0788 555 555,,,,,\n"                               # formula
    "Aline Uwase,0788123456,,,,,\n"                                       # nothing new
    ",,nobody@example.com,,,,\n"                                          # no name, no match
)


def _upload(salon, text=BOOK, name="book.csv"):
    table = read_table(csv_bytes(text), name)
    customer_import = imports.start_import(salon, table, name)
    return customer_import, table


def _apply(salon, customer_import, mapping=None):
    imports.dry_run(customer_import, salon, mapping or customer_import.mapping, today=TODAY)
    customer_import = CustomerImport.get_in_salon(salon, customer_import.id)
    assert imports.queue(customer_import, salon)
    return imports.apply_import(salon, customer_import.id, today=TODAY)


def _actions(salon, customer_import):
    return [(r.row_number, r.action) for r in imports.preview_rows(salon, customer_import)]


def test_dry_run_writes_nothing_and_counts(world):
    salon = world.salon
    before = list(SalonCustomer.select().order_by(SalonCustomer.id).dicts())
    customer_import, table = _upload(salon)
    counts = imports.dry_run(customer_import, salon, customer_import.mapping, today=TODAY)
    assert counts == {"create": 2, "update": 2, "unchanged": 1, "skip": 0, "error": 3}
    assert _actions(salon, customer_import) == [(2, "update"), (3, "create"), (4, "update"), (5, "create"),
                                                (6, "error"), (7, "error"), (8, "unchanged"), (9, "error")]
    assert list(SalonCustomer.select().order_by(SalonCustomer.id).dicts()) == before
    assert imports.plan_table(salon, table, customer_import.mapping, today=TODAY)[0] == counts


def test_apply_upserts_within_the_salon_only(world):
    salon = world.salon
    other_before = list(SalonCustomer.in_salon(world.other_salon).dicts())
    customer_import, _ = _upload(salon)
    done = _apply(salon, customer_import)
    assert done.status == "done" and done.processed_rows == 8
    assert done.counts == {"create": 2, "update": 2, "unchanged": 1, "skip": 0, "error": 3}
    aline = SalonCustomer.get_by_id(world.customer.id)
    assert aline.email == "aline@example.com"  # the file left it empty: kept
    assert aline.notes == "Prefers mornings" and aline.birthday == datetime.date(1990, 5, 21)
    assert aline.has_marketing_consent and aline.version == 2
    bea = SalonCustomer.in_salon(salon).where(SalonCustomer.phone_e164 == "+250788000111").get()
    assert bea.full_name == "Bea M." and bea.email == "bea@example.com" and bea.notes == "Second line"
    assert bea.birthday == datetime.date(1991, 1, 2)
    assert SalonCustomer.in_salon(salon).count() == 3
    tags = {(c.customer_id, c.tag.name) for c in CustomerTag.in_salon(salon).join(Tag)}
    assert (aline.id, "Braids") in tags and (aline.id, "VIP") in tags and (bea.id, "VIP") in tags
    assert list(SalonCustomer.in_salon(world.other_salon).dicts()) == other_before
    assert AuditEvent.select().where(AuditEvent.action == "customer_import.applied").count() == 1


def test_rejected_rows_csv_is_formula_guarded(world):
    customer_import, _ = _upload(world.salon)
    done = _apply(world.salon, customer_import)
    text = "".join(imports.rejected_csv(world.salon, done))
    assert text.startswith("\ufeffRow,Name,")
    assert "'=cmd" in text and "is not a date" in text and "No name" in text
    assert "Bea" not in text


def test_undo_removes_created_restores_updated_reports_edited(world):
    salon = world.salon
    customer_import, _ = _upload(salon)
    done = _apply(salon, customer_import)
    carine = SalonCustomer.in_salon(salon).where(SalonCustomer.email == "carine@example.com").get()
    apply_changes(carine, {"notes": "Came back"}, expected_version=carine.version, widget="notes")
    report = imports.undo_import(salon, done)
    assert report["removed"] == 1 and report["restored"] == 1
    assert [k["id"] for k in report["kept"]] == [carine.id]
    aline = SalonCustomer.get_by_id(world.customer.id)
    assert aline.notes == "" and aline.birthday is None and not aline.has_marketing_consent
    assert {t.tag.name for t in CustomerTag.in_salon(salon).join(Tag).where(CustomerTag.customer == aline.id)} == {"VIP"}
    assert not SalonCustomer.in_salon(salon).where(SalonCustomer.phone_e164 == "+250788000111").exists()
    assert SalonCustomer.in_salon(salon).where(SalonCustomer.id == carine.id).exists()
    assert CustomerImport.get_by_id(done.id).status == "undone"
    with pytest.raises(ValueError):
        imports.undo_import(salon, CustomerImport.get_by_id(done.id))


def test_undo_window_is_seven_days(world):
    customer_import, _ = _upload(world.salon)
    done = _apply(world.salon, customer_import)
    assert imports.can_undo(done, done.applied_at + datetime.timedelta(days=7))
    assert not imports.can_undo(done, done.applied_at + datetime.timedelta(days=7, seconds=1))


def test_rows_across_chunks_merge_and_apply_in_chunks(world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 3)
    lines = ["Name,Phone"] + [f"Client {i},0788 {100000 + i}" for i in range(7)] + ["Client 0 again,0788 100000"]
    customer_import, _ = _upload(world.salon, "\n".join(lines) + "\n")
    counts = imports.dry_run(customer_import, world.salon, customer_import.mapping, today=TODAY)
    assert counts["create"] == 7 and counts["update"] == 1
    done = _apply(world.salon, CustomerImport.get_by_id(customer_import.id))
    assert done.counts["create"] == 7 and done.counts["update"] == 1
    assert SalonCustomer.in_salon(world.salon).where(SalonCustomer.full_name == "Client 0 again").count() == 1
    report = imports.undo_import(world.salon, done)
    assert report["removed"] == 7 and not report["kept"]
    assert CustomerImportRow.select().where(CustomerImportRow.customer_import == done.id).count() == 8


# --- visit history ------------------------------------------------------------------------------------------

HISTORY = ("Name,Phone,Visit date,Amount\n"
           "Aline Uwase,0788 123 456,03/11/2026,15000\n"   # the world's Aline: one past visit
           "Gloria,0788 222 333,2026-10-01,8000\n"
           "Gloria,0788 222 333,2026-11-15,12000\n"        # same client, second visit
           "Hugo,0788 444 555,15/12/2026,5000\n"           # in the future: refused
           "Ines,0788 666 777,,5000\n")                    # an amount without a date: refused


def test_visit_history_goes_through_the_ledger_and_undoes(world):
    from salon_web.models import Visit
    from salon_web.services.visits import recompute_figures

    salon = world.salon
    customer_import, table = _upload(salon, HISTORY)
    assert customer_import.mapping == ["full_name", "phone", "visit_date", "visit_amount"]
    done = _apply(salon, customer_import)
    assert done.counts == {"create": 1, "update": 2, "unchanged": 0, "skip": 0, "error": 2}
    gloria = SalonCustomer.in_salon(salon).where(SalonCustomer.full_name == "Gloria").get()
    assert (gloria.visit_count, gloria.total_spent) == (2, 20000)
    assert gloria.first_visit_at.date() == datetime.date(2026, 10, 1)
    assert gloria.last_visit_at.date() == datetime.date(2026, 11, 15)
    aline = SalonCustomer.get_by_id(world.customer.id)
    assert (aline.visit_count, aline.total_spent) == (1, 15000)
    assert Visit.select().where(Visit.source_type == "import").count() == 3
    assert recompute_figures(check=True) == []
    # the same file again adds no visit twice
    again, _ = _upload(salon, HISTORY)
    assert imports.dry_run(again, salon, again.mapping, today=TODAY)["unchanged"] == 3
    report = imports.undo_import(salon, done)
    assert report == {"removed": 1, "restored": 1, "kept": []}
    aline = SalonCustomer.get_by_id(world.customer.id)
    assert (aline.visit_count, aline.total_spent, aline.last_visit_at) == (0, 0, None)
    assert Visit.select().count() == 0 and recompute_figures(check=True) == []


def test_a_chunk_that_fails_leaves_nothing_of_itself(world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 3)
    lines = ["Name,Phone"] + [f"Client {i},0788 {200000 + i}" for i in range(6)]
    customer_import, _ = _upload(world.salon, "\n".join(lines) + "\n")
    imports.dry_run(customer_import, world.salon, customer_import.mapping, today=TODAY)
    assert imports.queue(CustomerImport.get_by_id(customer_import.id), world.salon)
    real_write, calls = imports._write, []

    def failing_second_chunk(salon, outcomes):
        calls.append(1)
        real_write(salon, outcomes)
        if len(calls) == 2:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(imports, "_write", failing_second_chunk)
    with pytest.raises(RuntimeError):
        imports.apply_import(world.salon, customer_import.id, today=TODAY)
    failed = CustomerImport.get_by_id(customer_import.id)
    assert failed.status == "failed" and failed.processed_rows == 3
    names = {c.full_name for c in SalonCustomer.in_salon(world.salon)}
    assert {"Client 0", "Client 1", "Client 2"} <= names and not {"Client 3", "Client 4", "Client 5"} & names
    assert imports.undo_import(world.salon, failed)["removed"] == 3


@pytest.mark.postgres_only
def test_a_finished_import_refreshes_the_planner_statistics(world):
    """Autovacuum waits for a tenth of a table to change: a new salon's imported book would be planned blind."""
    customer_import, _ = _upload(world.salon)
    started = db.execute_sql("SELECT clock_timestamp()").fetchone()[0]
    _apply(world.salon, customer_import)
    db.execute_sql("SELECT pg_stat_clear_snapshot()")
    analyzed = dict(db.execute_sql(
        "SELECT relname, last_analyze >= %s FROM pg_stat_user_tables WHERE relname IN %s",
        [started, imports.IMPORTED_TABLES]).fetchall())
    assert analyzed == dict.fromkeys(imports.IMPORTED_TABLES, True)
