"""The customer card in Chromium: tags, notes, a message, load more, a conflict, all without a page reload."""
import datetime

from playwright.sync_api import expect

from salon_web.models import CustomerCommunication, Salon, SalonCustomer, User
from tests.e2e.conftest import htmx_settled, log_in
from tests.factories import make_customer


def _card_customer():
    """A customer with no history but 25 old calls, so the timeline has exactly two pages."""
    salon = Salon.get(Salon.slug == "kigali-glow")
    customer = make_customer(salon, "Card Customer", phone="0788 999 001", email="card@example.com")
    SalonCustomer.update(preferences={"allergies": "PPD hair dye"}, communication_preferences=[]).where(
        SalonCustomer.id == customer.id).execute()
    start = datetime.datetime(2025, 1, 1, 9, 0)
    for n in range(25):  # more than one page of timeline
        CustomerCommunication.create(salon=salon, customer=customer, type="phone", purpose="follow_up",
                                     status="sent", message=f"Old call {n:02d}", created_at=start + datetime.timedelta(days=n))
    return salon, customer


def test_card_edits_in_place_without_reloading(page, console, live_server, demo):
    salon, customer = _card_customer()
    navigations = []
    log_in(page, live_server, "employee@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers/{customer.id}")
    expect(page.locator(".allergy-alert")).to_contain_text("PPD hair dye")
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)

    tags = page.locator("#widget-tags")
    tags.get_by_placeholder("Add a tag").fill("Wedding party")
    tags.get_by_role("button", name="Add").click()
    expect(tags.locator(".tag-list")).to_contain_text("Wedding party")
    expect(page.locator("#customer-header")).to_contain_text("Wedding party")
    htmx_settled(page)
    tags.get_by_role("button", name="Remove tag Wedding party").click()
    expect(tags.locator(".tag-list")).not_to_contain_text("Wedding party")

    notes = page.locator("#widget-notes")
    notes.locator("textarea").fill("Prefers the window seat.\nCoffee, no sugar.")
    notes.get_by_role("button", name="Save notes").click()
    expect(notes.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("#timeline")).to_contain_text("Edited notes")
    htmx_settled(page)

    form = page.locator("#communication-form")
    form.get_by_label("Channel").select_option("email")
    expect(form.get_by_label("Recipient")).not_to_have_value(customer.phone_e164 or "")
    htmx_settled(page)
    form.get_by_label("Channel").select_option("sms")
    expect(form.get_by_label("Recipient")).to_have_value(customer.phone_e164)
    htmx_settled(page)
    form.get_by_label("Message or call summary").fill("Your colour appointment is confirmed.")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("#communication-form").get_by_role("status")).to_have_text("Recorded.")
    expect(page.locator("#timeline")).to_contain_text("Your colour appointment is confirmed.")
    htmx_settled(page)

    events = page.locator("#timeline-list > li.event")
    expect(events).to_have_count(20)
    page.get_by_role("link", name="Load more").click()
    expect(events).to_have_count(20 + 9)  # 25 calls + tag added + tag removed + notes edit + message = 29
    expect(page.locator("#timeline")).to_contain_text("Old call 00")

    assert navigations == []  # every step above was an htmx swap
    assert SalonCustomer.get_by_id(customer.id).notes == "Prefers the window seat.\nCoffee, no sugar."


def test_conflict_shows_the_colleagues_version(page, console, live_server, demo):
    console.allow("status of 409")
    salon, customer = _card_customer()
    log_in(page, live_server, "employee@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers/{customer.id}")
    # A colleague saves the notes after this page was opened.
    from salon_web.services.customer_edit import apply_changes

    owner = User.get(User.email == "owner@example.com")
    apply_changes(SalonCustomer.get_by_id(customer.id), {"notes": "Colleague's note"},
                  expected_version=customer.version, widget="notes", user=owner.id)
    notes = page.locator("#widget-notes")
    notes.locator("textarea").fill("My note")
    notes.get_by_role("button", name="Save notes").click()
    expect(notes.locator(".conflict")).to_contain_text("Olive Owner")
    expect(notes.locator(".conflict")).to_contain_text("Colleague's note")
    expect(notes.locator("textarea")).to_have_value("My note")
    htmx_settled(page)
    notes.get_by_role("button", name="Save notes").click()
    expect(notes.get_by_role("status")).to_have_text("Saved.")
    assert SalonCustomer.get_by_id(customer.id).notes == "My note"


def test_marketing_refusal_is_shown_beside_the_form(page, console, live_server, demo):
    console.allow("status of 422")
    salon, customer = _card_customer()
    SalonCustomer.update(marketing_consent_at=None).where(SalonCustomer.id == customer.id).execute()
    log_in(page, live_server, "employee@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers/{customer.id}")
    form = page.locator("#communication-form")
    form.get_by_label("Purpose").select_option("marketing")
    form.get_by_label("Message or call summary").fill("20% off this week")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("#communication-form .alert--error")).to_contain_text("has not given marketing consent")
