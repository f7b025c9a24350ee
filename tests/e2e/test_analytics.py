"""The analytics and Today pages in Chromium: charts render, the period changes in place, follow-ups snooze in place."""
import datetime
import re

from playwright.sync_api import expect

from salon_web.models import Salon
from salon_web.services.clock import local_today
from tests import factories
from tests.analytics_data import customer_with_visits
from tests.e2e.conftest import htmx_ready, htmx_settled, log_in


def _kigali():
    return Salon.get(Salon.slug == "kigali-glow")


def _visits(salon):
    today = local_today(salon.timezone)
    for index in range(6):
        moments = [datetime.datetime.combine(today - datetime.timedelta(days=d), datetime.time(11))
                   for d in range(index * 10, 400, 45 + index * 15)]
        customer_with_visits(salon, f"Chart Client {index}", [(moment, 8_000 + 500 * index) for moment in moments])


def test_owner_reads_analytics_and_changes_the_period(page, console, live_server, demo):
    _visits(_kigali())
    log_in(page, live_server, "owner@example.com")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", name="Customer analytics")).to_be_visible()
    htmx_ready(page)
    expect(page.locator('svg[role="img"]')).to_have_count(3)
    expect(page.get_by_role("img", name="Visits per month")).to_be_visible()
    expect(page.locator("#period h2")).to_contain_text("against the 30 days before")
    page.get_by_role("link", name="Last 90 days").click()
    expect(page.locator("#period h2")).to_contain_text("against the 90 days before")
    expect(page).to_have_url(re.compile(r"days=90"))
    expect(page.get_by_role("link", name="Last 90 days")).to_have_class(re.compile("is-selected"))


def test_employee_snoozes_and_completes_follow_ups_in_place(page, console, live_server, demo):
    salon = _kigali()
    overdue = datetime.date(2026, 1, 1)
    factories.make_customer(salon, "Zuri Snooze", follow_up_on=overdue)
    factories.make_customer(salon, "Zara Done", follow_up_on=overdue)
    log_in(page, live_server, "employee@example.com")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    htmx_ready(page)
    page.get_by_role("button", name="Snooze 7 days (Zuri Snooze)").click()
    expect(page.get_by_role("status").filter(has_text="Zuri Snooze")).to_contain_text("snoozed until")
    htmx_settled(page)
    page.get_by_role("button", name="Done (Zara Done)").click()
    expect(page.get_by_role("status").filter(has_text="Zara Done")).to_contain_text("follow-up done")
    expect(page).to_have_url(re.compile(r"/today$"))  # no reload, no navigation
    page.reload()
    expect(page.get_by_text("Zara Done")).to_have_count(0)
    expect(page.get_by_text("Zuri Snooze")).to_have_count(0)
