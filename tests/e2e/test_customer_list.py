"""The customer list in Chromium: search as you type, URL and back button, tag filter, sorting, CSV download."""
import re

from playwright.sync_api import expect

from salon_web.models import CustomerTag, Salon, SalonCustomer, Tag
from tests.e2e.conftest import htmx_settled, log_in


def _kigali():
    return Salon.get(Salon.slug == "kigali-glow")


def test_search_as_you_type_updates_url_and_back_restores(page, console, live_server, demo):
    salon = _kigali()
    someone = SalonCustomer.select().where(SalonCustomer.salon == salon).order_by(SalonCustomer.id).first()
    total = SalonCustomer.select().where(SalonCustomer.salon == salon).count()
    surname = someone.full_name.split()[-1]
    matching = SalonCustomer.select().where(
        (SalonCustomer.salon == salon) & SalonCustomer.full_name.contains(surname)).count()
    log_in(page, live_server, "owner@example.com")
    expect(page.locator("#result-count")).to_have_text(f"{total} customers")
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("Search").press_sequentially(surname.lower(), delay=30)
    expect(page).to_have_url(re.compile(rf"q={surname.lower()}"))
    label = f"{matching} customer" + ("" if matching == 1 else "s")
    expect(page.locator("#result-count")).to_have_text(label)
    expect(page.locator(".customer-table")).to_contain_text(someone.full_name)
    assert page.evaluate("window.__notReloaded") is True  # results arrived without a page load
    page.go_back()
    expect(page.locator("#result-count")).to_have_text(f"{total} customers")
    expect(page).not_to_have_url(re.compile(r"q="))


def test_filter_by_tag_sort_by_column_and_download_csv(page, console, live_server, demo):
    salon = _kigali()
    tag = Tag.select().where(Tag.salon == salon).order_by(Tag.name).first()
    tagged = CustomerTag.select().where(CustomerTag.tag == tag).count()
    log_in(page, live_server, "owner@example.com")
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label(tag.name, exact=True).check()  # checking a tag applies the filter at once
    expect(page).to_have_url(re.compile(r"tags="))
    expect(page.locator("#result-count")).to_have_text(f"{tagged} customer" + ("" if tagged == 1 else "s"))
    htmx_settled(page)

    page.get_by_role("link", name="Total spent").click()
    expect(page.locator("th[aria-sort]")).to_contain_text("Total spent")
    expect(page).to_have_url(re.compile(r"sort=total_spent"))
    spent = page.locator(".customer-table tbody tr td.num:nth-child(7)").all_inner_texts()
    amounts = [int(re.sub(r"\D", "", text) or 0) for text in spent]
    assert amounts == sorted(amounts, reverse=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("customers-kigali-glow-")
    with open(download.path(), "rb") as downloaded:
        content = downloaded.read()
    assert content.startswith("\ufeff".encode())
    lines = content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Name,Phone,Email")
    assert len(lines) == tagged + 1
