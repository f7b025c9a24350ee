"""Posting a sale in Chromium: pick the customer by typing, enter lines, and see the customer's figures change."""
import re

from playwright.sync_api import expect

from salon_web.models import Salon, SalonCustomer
from salon_web.services.money import format_money
from tests.e2e.conftest import htmx_ready, htmx_settled, log_in


def test_employee_posts_a_sale_and_sees_figures_change(page, console, live_server, demo):
    salon = Salon.get(Salon.slug == "kigali-glow")
    customer = SalonCustomer.select().where(SalonCustomer.salon == salon).order_by(SalonCustomer.id).first()
    before = (customer.visit_count, customer.total_spent)

    log_in(page, live_server, "employee@example.com")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Sales").click()
    expect(page.get_by_role("heading", name="Post a sale")).to_be_visible()
    htmx_ready(page)

    page.get_by_label("Search customers by name or phone").fill(customer.full_name.split()[0][:4])
    option = page.locator(f'input[name="customer_id"][value="{customer.id}"]')
    expect(option).to_be_visible()
    expect(page.locator(".picker__option")).not_to_have_count(12)  # the search narrowed the list
    htmx_settled(page)
    option.check()

    page.get_by_role("button", name="Add another line").click()
    expect(page.locator(".items__row")).to_have_count(6)
    page.get_by_label("Description 1", exact=True).fill("Braids")
    page.get_by_label("Unit price 1", exact=True).fill("12,000")
    page.get_by_label("Description 2", exact=True).fill("Hair oil")
    page.get_by_label("Quantity 2", exact=True).fill("2")
    page.get_by_label("Unit price 2", exact=True).fill("1500")
    page.get_by_role("button", name="Post sale").click()

    expect(page).to_have_url(re.compile(rf"/sales\?customer={customer.id}$"))
    expect(page.get_by_role("status")).to_contain_text(f"RWF 15,000 recorded for {customer.full_name}")
    figures = page.locator(".customer-figures")
    expect(figures.locator('[data-figure="visit_count"]')).to_have_text(str(before[0] + 1))
    expect(figures.locator('[data-figure="total_spent"]')).to_have_text(format_money(before[1] + 15000, "RWF"))
    fresh = SalonCustomer.get_by_id(customer.id)
    assert (fresh.visit_count, fresh.total_spent) == (before[0] + 1, before[1] + 15000)


def test_missing_line_shows_the_error_beside_the_form(page, console, live_server, demo):
    console.allow("status of 422")
    log_in(page, live_server, "employee@example.com")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Sales").click()
    htmx_ready(page)
    page.locator('input[name="customer_id"]').first.check()
    page.get_by_role("button", name="Post sale").click()
    expect(page.get_by_text("Add at least one line")).to_be_visible()
