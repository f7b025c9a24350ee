"""The everything export: one streamed ZIP, a CSV per table, one JSON document, a README naming every column."""
import csv
import datetime
import io
import json
import zipfile

from salon_web.models import AuditEvent, CustomerCommunication
from salon_web.services import client_rights, export, salon_export
from salon_web.services.appointments import book_appointment
from salon_web.services.sales import post_sale
from salon_web.services.segments import save_segment
from salon_web.services.customer_filter import CustomerFilter
from tests import factories

NOW = datetime.datetime(2026, 3, 14, 12, 0)


def _archive(client, world):
    response = client.get(f"/salons/{world.salon.id}/export/everything")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.is_streamed
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _csv(archive, name):
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_every_table_is_in_the_archive_and_the_readme_names_every_column(client, world, login_as):
    customer = world.customer
    post_sale(world.salon, customer=customer, items=[("Braids", 2, 10_000)], sold_at=NOW, now=NOW)
    book_appointment(world.salon, customer=customer, service_name="Colour", price=30_000, scheduled_at=NOW)
    CustomerCommunication.create(salon=world.salon, customer=customer, type="sms", purpose="follow_up",
                                 message="=HYPERLINK(\"http://evil\")")
    save_segment(world.salon, "Regulars", CustomerFilter(min_visits=2))
    factories.make_customer(world.salon, "@Evil Name", notes="-2+3")
    factories.make_customer(world.other_salon, "Nadine Other", email="nadine@example.com")
    login_as("owner")
    archive = _archive(client, world)
    names = set(archive.namelist())
    expected = {"README.txt", "salon.json", "customers.csv"} | {name for name, *_ in salon_export._tables(world.salon)}
    assert names == expected
    readme = archive.read("README.txt").decode()
    for name, _, _, columns in salon_export._tables(world.salon):
        assert name in readme
        header = _csv(archive, name)[0]
        assert header == [column for _, column, _ in columns]
        assert all(f"- {column}:" in readme for column in header)
    customers = _csv(archive, "customers.csv")
    assert customers[0] == export.header("RWF")
    assert {row[0] for row in customers[1:]} == {"Aline Uwase", "'@Evil Name"}
    assert [row[1] for row in _csv(archive, "sales.csv")[1:]] == [str(customer.id)]
    assert _csv(archive, "sale_items.csv")[1][2:] == ["Braids", "2", "10000"]
    assert _csv(archive, "communications.csv")[1][6].startswith("'=")
    assert _csv(archive, "segments.csv")[1][1] == "Regulars"
    assert {row[3] for row in _csv(archive, "staff.csv")[1:]} == {"owner", "employee"}
    document = json.loads(archive.read("salon.json"))
    assert document["salon"]["currency"] == "RWF" and document["rows"]["sales.csv"] == 1
    assert [c["tags"] for c in document["customers"] if c["full_name"] == "Aline Uwase"] == [["VIP"]]
    everything = b"".join(archive.read(name) for name in names)
    assert b"Nadine" not in everything and "Émilie".encode() not in everything
    event = AuditEvent.get(AuditEvent.action == "salon.export")
    assert event.detail["completed"] and event.detail["rows"]["customers.csv"] == 2


def test_customers_csv_is_the_list_export_of_the_whole_book(client, world, login_as):
    factories.make_customer(world.salon, "Zoé Kamali", phone="0788 000 111", notes="Line one\nline two")
    login_as("admin")
    archive = _archive(client, world)
    listed = client.get(f"/salons/{world.salon.id}/customers/export").get_data()
    assert archive.read("customers.csv") == listed


def test_a_forgotten_client_is_not_in_the_archive_but_their_sales_are(client, world, login_as):
    post_sale(world.salon, customer=world.customer, items=[("Braids", 1, 10_000)], sold_at=NOW, now=NOW)
    client_rights.forget_client(world.salon, world.customer, confirmed=True)
    login_as("owner")
    archive = _archive(client, world)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Aline" not in everything and b"aline@" not in everything and b"788123456" not in everything
    assert len(_csv(archive, "customer_records.csv")) == 1 and len(_csv(archive, "sales.csv")) == 2


def test_the_archive_streams_in_chunks(world, monkeypatch):
    monkeypatch.setattr(salon_export, "FLUSH_ROWS", 10)
    for i in range(45):
        factories.make_customer(world.salon, f"Client {i:02d}")
    chunks = list(salon_export.stream_everything(world.salon))
    assert len(chunks) > 10
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None and len(_csv(archive, "customer_records.csv")) == 47


def test_employees_cannot_export_everything(client, world, login_as):
    login_as("employee")
    assert client.get(f"/salons/{world.salon.id}/export/everything").status_code == 403
    assert "Export everything" not in client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    login_as("owner")
    assert "Export everything" in client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
