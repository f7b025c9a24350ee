"""Messages in Chromium: write a template and preview it, send a campaign to a saved segment, find it in the
Outbox and on the client's card."""
import datetime

from playwright.sync_api import expect

from salon_web.models import Salon, SalonCustomer, utcnow
from salon_web.services.segments import save_segment
from salon_web.web_forms.customer_list import segment_filter
from tests.e2e.conftest import htmx_ready, htmx_settled, log_in
from tests.factories import make_customer
from tests.messages_helpers import without_quiet_hours


def _newsletter_client():
    salon = Salon.get(Salon.slug == "kigali-glow")
    without_quiet_hours(salon)
    customer = make_customer(salon, "Nadia Newsletter", phone="0788 555 010", email="nadia@example.com",
                             tags=["Newsletter"])
    SalonCustomer.update(marketing_consent_at=utcnow() - datetime.timedelta(days=10),
                         communication_preferences=[]).where(SalonCustomer.id == customer.id).execute()
    save_segment(salon, "Newsletter readers", segment_filter("tags=Newsletter", salon)[0])
    return salon, customer


def test_template_preview_campaign_outbox_and_card(page, console, live_server, demo):
    salon, customer = _newsletter_client()
    log_in(page, live_server, "owner@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/today")
    page.get_by_role("link", name="Messages").first.click()
    expect(page.get_by_role("heading", name="Messages", exact=True)).to_be_visible()

    page.get_by_role("link", name="Templates").click()
    htmx_ready(page)
    page.get_by_label("Message", exact=True).fill("Happy birthday {first_name} from {salon_name}! ê")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#template-preview")
    expect(preview).to_contain_text("from Kigali Glow Salon! ê")
    expect(preview).to_contain_text("UCS-2")
    htmx_settled(page)
    page.get_by_role("button", name="Save template").click()
    expect(page.locator(".flash")).to_contain_text("Template saved.")

    page.get_by_role("link", name="Campaigns").click()
    htmx_ready(page)
    page.get_by_label("Name").fill("Newsletter December")
    page.get_by_label("Saved segment").select_option(label="Newsletter readers")
    page.get_by_label("Message", exact=True).fill("{first_name}, 20% off braids this week at {salon_name}.")
    page.get_by_role("button", name="Check whom it reaches").click()
    expect(page.locator("#campaign-reach")).to_contain_text("This will reach 1 client")
    htmx_settled(page)
    page.get_by_role("button", name="Create and send").click()
    expect(page.locator("#campaign-counts")).to_contain_text("Sent 1")

    page.get_by_role("link", name="Outbox").click()
    expect(page.locator("#outbox")).to_contain_text("Nadia, 20% off braids this week at Kigali Glow Salon.")
    page.get_by_role("link", name="Nadia Newsletter").first.click()
    panel = page.locator("#messages-panel")
    expect(panel).to_contain_text("Recent and queued")
    expect(panel).to_contain_text("Campaign")  # the purpose's label, no longer its stored code
    expect(panel).to_contain_text("sent")
