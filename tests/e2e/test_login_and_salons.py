"""Logging in as each demo user, switching salon as admin, logging out, in Chromium."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in


@pytest.mark.parametrize(
    "email, salon_name",
    [
        ("admin@example.com", "Atelier Lumière"),  # admins start at the first salon by name
        ("owner@example.com", "Kigali Glow Salon"),
        ("employee@example.com", "Kigali Glow Salon"),
        ("owner2@example.com", "Atelier Lumière"),
    ],
)
def test_demo_user_logs_in_to_their_salon_and_out(page, console, live_server, demo, email, salon_name):
    log_in(page, live_server, email)
    expect(page).to_have_url(re.compile(r"/salons/\d+/customers$"))
    expect(page.locator(".salon-switcher summary")).to_contain_text(salon_name)
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_text("You are logged out.")).to_be_visible()


def test_admin_switches_salon(page, console, live_server, demo):
    log_in(page, live_server, "admin@example.com")
    page.locator(".salon-switcher summary").click()
    page.get_by_role("button", name="Brooklyn Shears").click()
    expect(page.locator(".salon-switcher summary")).to_contain_text("Brooklyn Shears")
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()


def test_wrong_password_shows_one_generic_message(page, console, live_server, demo):
    console.allow("status of 401")
    log_in(page, live_server, "owner@example.com", password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page).to_have_url(re.compile(r"/login$"))
