"""Importing a client book in Chromium: upload, map, dry run, confirm, watch progress, undo."""
import re

from playwright.sync_api import expect

from salon_web.models import CustomerImport, Salon, SalonCustomer
from tests.e2e.conftest import htmx_ready, log_in

BOOK = ("Client;Mobile;Courriel;Étiquettes\n"
        "Zawadi Import;0788 901 234;zawadi@example.com;VIP\n"
        "Yves Import;0788 901 235;;\n"
        "Broken Phone;12;;\n")


def test_upload_map_dry_run_confirm_progress_undo(page, console, live_server, demo, tmp_path):
    salon = Salon.get(Salon.slug == "kigali-glow")
    before = SalonCustomer.select().where(SalonCustomer.salon == salon).count()
    book = tmp_path / "clients.csv"
    book.write_bytes(BOOK.encode("cp1252"))
    log_in(page, live_server, "owner@example.com")
    page.get_by_role("link", name="Import clients").click()
    page.get_by_label("File").set_input_files(str(book))
    page.get_by_role("button", name="Upload and choose columns").click()

    expect(page.get_by_role("heading", name="Which column holds what?")).to_be_visible()
    expect(page.get_by_label("Client")).to_have_value("full_name")
    expect(page.get_by_label("Mobile")).to_have_value("phone")
    page.get_by_label("Étiquettes").select_option("tags")
    page.get_by_role("button", name="Dry run").click()

    counts = page.get_by_test_id("import-counts")
    expect(counts.locator('[data-action="create"]')).to_have_text("2")
    expect(counts.locator('[data-action="error"]')).to_have_text("1")
    expect(page.get_by_test_id("import-rows")).to_contain_text("wrong length")
    assert SalonCustomer.select().where(SalonCustomer.salon == salon).count() == before  # nothing written yet

    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Imported")
    expect(page.locator("#import-progress")).to_have_attribute("value", "3")
    assert SalonCustomer.select().where(SalonCustomer.salon == salon).count() == before + 2

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_test_id("undo-report")).to_contain_text("2 new cards removed")
    assert SalonCustomer.select().where(SalonCustomer.salon == salon).count() == before


def test_progress_bar_follows_a_running_import(page, console, live_server, demo, tmp_path):
    """The page polls while the job runs (here another process's job, simulated in the database)."""
    from salon_web.services import customer_import as imports
    from salon_web.services.import_files import Table

    salon = Salon.get(Salon.slug == "kigali-glow")
    table = Table("csv", ["Name"], [["Running One"], ["Running Two"], ["Running Three"], ["Running Four"]])
    running = imports.start_import(salon, table, "running.csv")
    CustomerImport.update(status="running", processed_rows=1, counts={"create": 1}).where(
        CustomerImport.id == running.id).execute()
    log_in(page, live_server, "owner@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/imports/{running.id}")
    htmx_ready(page)
    expect(page.get_by_test_id("import-status")).to_have_text("Importing")
    expect(page.locator("#import-progress")).to_have_attribute("value", "1")
    CustomerImport.update(processed_rows=3).where(CustomerImport.id == running.id).execute()
    expect(page.locator("#import-progress")).to_have_attribute("value", "3")
    CustomerImport.update(status="done", processed_rows=4).where(CustomerImport.id == running.id).execute()
    expect(page.get_by_test_id("import-status")).to_have_text("Imported")
    expect(page.locator("#import-progress")).to_have_attribute("value", "4")
    expect(page).to_have_url(re.compile(rf"/imports/{running.id}$"))
