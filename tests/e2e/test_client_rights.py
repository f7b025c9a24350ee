"""A client's rights and duplicate merges in Chromium: forget from the card; merge from the duplicates page, then undo."""
from playwright.sync_api import expect

from salon_web.models import Salon, SalonCustomer
from salon_web.services.sales import post_sale
from tests.e2e.conftest import htmx_ready, log_in
from tests.factories import make_customer


def test_forget_a_client_from_the_card(page, console, live_server, demo):
    salon = Salon.get(Salon.slug == "kigali-glow")
    customer = make_customer(salon, "Solange Forgetme", phone="0788 777 001", email="solange@example.com")
    log_in(page, live_server, "owner@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers/{customer.id}")
    rights = page.locator("#client-rights")
    expect(rights.get_by_role("link", name="Download this client's data")).to_be_visible()
    rights.get_by_role("link", name="Forget this client").click()
    htmx_ready(page)
    console.allow("status of 422")
    page.get_by_role("button", name="Forget this client").click()
    expect(page.locator("#confirm-error")).to_contain_text("Tick the box")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Forget this client").click()
    expect(page.locator("#client-rights")).to_contain_text("was forgotten")
    expect(page.locator(".customer-header__name")).to_have_text("Forgotten client")
    page.goto(f"{live_server}/salons/{salon.id}/customers?q=Solange")
    expect(page.locator("#results")).not_to_contain_text("Solange")
    assert SalonCustomer.get_by_id(customer.id).email is None


def test_merge_two_cards_from_the_duplicates_page_then_undo(page, console, live_server, demo):
    salon = Salon.get(Salon.slug == "kigali-glow")
    first = make_customer(salon, "Zawadi Ingabire", phone="0788 777 002", email="zawadi@example.com")
    second = make_customer(salon, "Zawadi Ingabirre", email="zawadi@example.com", notes="Likes tea")
    post_sale(salon, customer=second, items=[("Braids", 1, 12_000)])
    log_in(page, live_server, "owner@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers")
    page.get_by_role("link", name="Possible duplicates").click()
    htmx_ready(page)
    row = page.locator(".duplicate-pair", has_text="Zawadi Ingabirre")
    expect(row).to_contain_text("same e-mail")
    row.get_by_role("link", name="Compare and merge").click()
    htmx_ready(page)
    page.get_by_role("button", name="Merge").click()
    expect(page.locator(".merge-list")).to_contain_text("Zawadi Ingabirre → Zawadi Ingabire")
    survivor = SalonCustomer.get_by_id(first.id)
    assert (survivor.visit_count, survivor.total_spent, survivor.notes) == (1, 12_000, "Likes tea")
    assert not SalonCustomer.select().where(SalonCustomer.id == second.id).exists()
    page.locator(".merge-list").get_by_role("button", name="Undo merge").click()
    expect(page.locator(".merge-list")).to_contain_text("undone")
    restored = SalonCustomer.get_by_id(second.id)
    assert (restored.visit_count, restored.total_spent, restored.notes) == (1, 12_000, "Likes tea")
    assert SalonCustomer.get_by_id(first.id).visit_count == 0
