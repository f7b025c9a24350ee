"""The front desk in Chromium (issue 15): every page at phone and desktop width, as each role.

No page scrolls sideways, axe-core finds no serious or critical violation, and the card works by keyboard alone.
axe-core is vendored for the tests only (tests/e2e/vendor, MPL-2.0) and injected through the DevTools protocol,
so the page's CSP (script-src 'self') stays on.
"""
import pathlib

import pytest
from playwright.sync_api import expect

from salon_web.models import Salon, SalonCustomer, Service
from salon_web.services.service_menu import save_service
from tests.e2e.conftest import htmx_ready, htmx_settled, log_in

AXE = (pathlib.Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text(encoding="utf-8")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ROLES = {"admin": "admin@example.com", "owner": "owner@example.com", "employee": "employee@example.com"}
MANAGER_PAGES = ("customers/analytics", "settings", "services", "services/{service}")


def _pages(salon, customer, role):
    """The URLs of every page the role may open in the demo's first salon."""
    base = f"/salons/{salon.id}"
    pages = ["/salons", "/profile", "/api/v1/docs", f"{base}/today", f"{base}/customers", f"{base}/customers/new",
             f"{base}/customers/{customer.id}", f"{base}/customers/{customer.id}/communications",
             f"{base}/customers/{customer.id}/book", f"{base}/customers/{customer.id}/sell",
             f"{base}/segments", f"{base}/sales", f"{base}/appointments"]
    if role != "employee":
        service = save_service(salon, name="Walk colour", category="Colour", price=25000) if not Service.in_salon(
            salon).where(Service.name == "Walk colour").exists() else Service.get(Service.name == "Walk colour")
        pages += [f"{base}/{path.format(service=service.id)}" for path in MANAGER_PAGES]
    return pages


def axe_violations(page):
    """Serious and critical axe-core violations of the page as it is now, as readable strings."""
    page.evaluate(AXE)
    results = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(
            v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
    return results


def _demo_customer():
    salon = Salon.get(Salon.slug == "kigali-glow")
    customer = SalonCustomer.in_salon(salon).order_by(SalonCustomer.visit_count.desc()).first()
    return salon, customer


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_a_phone_and_passes_axe(page, console, live_server, demo, role):
    salon, customer = _demo_customer()
    log_in(page, live_server, ROLES[role])
    problems = []
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for path in _pages(salon, customer, role):
            response = page.goto(f"{live_server}{path}")
            assert response.status == 200, f"{path}: {response.status}"
            htmx_ready(page)
            width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            if width > inner:
                problems.append(f"{viewport['width']} {path}: scrolls sideways ({width} > {inner})")
            for violation in axe_violations(page):
                problems.append(f"{viewport['width']} {path}: {violation}")
            if viewport is DESKTOP and path.endswith("/customers/analytics"):  # the period table fits at 1280
                inner, outer = page.evaluate("(e => [e.scrollWidth, e.clientWidth])(document.querySelector('#period .table-wrap'))")
                if inner > outer:
                    problems.append(f"1280 {path}: the period table is cut off ({inner} > {outer})")
            if viewport is PHONE:
                problems += [f"390 {path}: touch target under 44 px: {html}" for html in _small_targets(page)]
    assert not problems, "\n".join(problems)


def _small_targets(page):
    """Visible buttons, menu buttons and fields of the page lower than 44 px (checkboxes and radios aside)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
            "main .button, main button, main summary, .topbar summary, main select, main textarea, main input:not([type=checkbox]):not([type=radio]):not([type=hidden])"))
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
        .map(e => e.outerHTML.slice(0, 80))""")


def test_phone_list_is_one_card_per_client_and_menu_collapses(page, console, live_server, demo):
    salon, customer = _demo_customer()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "employee@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers")
    htmx_ready(page)
    rows = page.locator(".customer-table tbody tr")
    first = rows.first
    expect(first.locator("a[href^='tel:']")).to_be_visible()
    box = first.bounding_box()
    assert box["width"] <= PHONE["width"]
    assert page.locator(".customer-table thead").is_hidden()  # one card per client, no table header
    # The sections sit behind one menu button at phone width.
    expect(page.get_by_role("link", name="Sales")).to_be_hidden()
    page.locator(".nav-menu > summary").click()
    expect(page.get_by_role("link", name="Sales")).to_be_visible()
    page.get_by_role("link", name="Sales").click()
    expect(page.get_by_role("heading", name="Sales", level=1)).to_be_visible()
    # Touch targets: every button and menu summary on the list is at least 44 px high.
    page.goto(f"{live_server}/salons/{salon.id}/customers")
    htmx_ready(page)
    assert _small_targets(page) == []


def test_desktop_keeps_the_table(page, console, live_server, demo):
    salon, _ = _demo_customer()
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet: the table and the section links stay
    log_in(page, live_server, "owner@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers")
    expect(page.locator(".customer-table thead")).to_be_visible()
    expect(page.get_by_role("link", name="Sales")).to_be_visible()


def test_notes_save_by_keyboard_alone(page, console, live_server, demo):
    salon, customer = _demo_customer()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "employee@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers/{customer.id}")
    htmx_ready(page)
    # Tab from the top of the page until the notes field has focus: every stop before it must be visible.
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "notes-text":
            break
    else:
        pytest.fail("the notes field is not reachable with Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Save notes"
    page.keyboard.press("Enter")
    expect(page.locator("#widget-notes").get_by_role("status")).to_have_text("Saved.")
    htmx_settled(page)
    assert SalonCustomer.get_by_id(customer.id).notes == "Typed without a mouse."


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_book_and_sell_from_the_card(page, console, live_server, demo, viewport):
    salon, customer = _demo_customer()
    visits = customer.visit_count
    page.set_viewport_size(viewport)
    log_in(page, live_server, "employee@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers/{customer.id}")
    page.locator(".card-actions").get_by_role("link", name="Book").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(customer.full_name)
    htmx_ready(page)
    page.get_by_label("Service").fill("Colour refresh")
    page.get_by_label("Date and time").fill("2031-03-14T11:00")
    page.get_by_label("Price").fill("15000")
    page.get_by_role("button", name="Book").click()
    expect(page.locator(".flash--success")).to_contain_text("Booked Colour refresh")
    expect(page.locator("#timeline")).to_contain_text("Colour refresh")

    page.locator(".card-actions").get_by_role("link", name="New sale").click()
    htmx_ready(page)
    page.get_by_label("Description 1").fill("Hair oil")
    page.get_by_label("Unit price 1").fill("4500")
    page.get_by_role("button", name="Post sale").click()
    expect(page.locator(".flash--success")).to_contain_text("Sale of RWF 4,500 recorded")
    expect(page.locator("#timeline")).to_contain_text("Hair oil")
    assert SalonCustomer.get_by_id(customer.id).visit_count == visits + 1  # the booking is not a visit yet


def test_book_from_a_list_rows_menu(page, console, live_server, demo):
    salon, customer = _demo_customer()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "employee@example.com")
    page.goto(f"{live_server}/salons/{salon.id}/customers")
    htmx_ready(page)
    row = page.locator(".customer-table tbody tr").filter(has_text=customer.full_name)
    row.locator(".row-menu > summary").click()
    row.get_by_role("link", name=f"New sale for {customer.full_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"New sale for {customer.full_name}")
