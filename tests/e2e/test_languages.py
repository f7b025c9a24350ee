"""The login, list, card and analytics pages in Chromium in each language, chosen by the browser's own locale."""
import pytest
from babel.support import Translations
from playwright.sync_api import expect

from salon_web.models import SalonCustomer
from salon_web.translations import CATALOGUES, compile_catalogues
from tests.e2e.conftest import DEMO_PASSWORD, htmx_ready

LOCALES = {"en": "en-GB", "fr": "fr-FR", "rw": "rw-RW"}


@pytest.fixture(scope="module")
def words():
    compile_catalogues()
    return {language: Translations.load(str(CATALOGUES), [language]).gettext for language in LOCALES}


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_the_front_desk_pages_speak_the_browser_language(browser, live_server, demo, words, language):
    _ = words[language]
    context = browser.new_context(locale=LOCALES[language])
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.get_by_label(_("Email")).fill("owner@example.com")
        page.get_by_label(_("Password")).fill(DEMO_PASSWORD)
        page.get_by_role("button", name=_("Log in")).click()
        page.wait_for_load_state("networkidle")

        salon_id = page.url.split("/salons/")[1].split("/")[0]
        page.goto(f"{live_server}/salons/{salon_id}/customers")
        expect(page.get_by_role("heading", level=1)).to_have_text(_("Customers"))
        expect(page.get_by_role("link", name=_("New customer"))).to_be_visible()

        customer = SalonCustomer.select().where(SalonCustomer.salon == int(salon_id)).order_by(SalonCustomer.id).first()
        page.goto(f"{live_server}/salons/{salon_id}/customers/{customer.id}")
        htmx_ready(page)
        expect(page.get_by_role("heading", level=1)).to_contain_text(customer.full_name)  # names stay as typed
        expect(page.get_by_text(_("Total spent"), exact=True).first).to_be_visible()

        page.goto(f"{live_server}/salons/{salon_id}/customers/analytics")
        htmx_ready(page)
        expect(page.get_by_role("heading", name=_("Customer analytics"))).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", language)
    finally:
        context.close()
