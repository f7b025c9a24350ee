"""Booking an appointment and completing it in Chromium: one more visit for the customer."""
import datetime
import re

from playwright.sync_api import expect

from salon_web.models import Salon, SalonCustomer
from salon_web.services.clock import local_today
from tests.e2e.conftest import htmx_ready, log_in


def test_book_then_complete_counts_one_visit(page, console, live_server, demo):
    salon = Salon.get(Salon.slug == "kigali-glow")
    customer = SalonCustomer.select().where(SalonCustomer.salon == salon).order_by(SalonCustomer.id.desc()).first()
    before = customer.visit_count
    day = local_today(salon.timezone) - datetime.timedelta(days=1)

    log_in(page, live_server, "employee@example.com")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Appointments").click()
    htmx_ready(page)
    page.get_by_label("Search customers by name or phone").fill(customer.full_name.split()[-1])
    page.locator(f'input[name="customer_id"][value="{customer.id}"]').check()
    page.get_by_label("Service").fill("Silk press")
    page.get_by_label("Price (RWF)").fill("18000")
    page.get_by_label(re.compile("Date and time")).fill(f"{day.isoformat()}T10:30")
    page.get_by_role("button", name="Book").click()

    expect(page).to_have_url(re.compile(rf"/appointments\?day={day.isoformat()}$"))
    row = page.locator("tr", has_text="Silk press")
    expect(row).to_contain_text("10:30")
    htmx_ready(page)
    row.get_by_role("button", name="Complete").click()
    expect(row.locator(".badge")).to_have_text("completed")
    expect(row.get_by_role("button", name="Complete")).to_have_count(0)
    assert SalonCustomer.get_by_id(customer.id).visit_count == before + 1
