"""Browser tests: the real app on a local port, driven in Debian's Chromium by Playwright.

Never downloads a browser. Without Chromium the tests skip locally and fail in CI.
Every page is checked for console errors and CSP violations.
"""
import os
import shutil
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from salon_web.sample_data.demo import seed_demo

CHROMIUM = shutil.which("chromium")
DEMO_PASSWORD = "demo-password-123"


def pytest_collection_modifyitems(config, items):
    e2e = [item for item in items if "/e2e/" in str(item.fspath)]
    for item in e2e:
        item.add_marker(pytest.mark.e2e)
    if CHROMIUM:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests: install Debian's chromium package")
    for item in e2e:
        item.add_marker(pytest.mark.skip(reason="chromium is not installed"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        # Chromium phones home at start; this machine has no network but localhost.
        "args": [
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }


@pytest.fixture
def live_server(app):
    """Serve the test app on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def demo(app):
    """The demo salons and logins, with a few customers each (fast)."""
    return seed_demo(DEMO_PASSWORD, customers_per_salon=12)


class ConsoleWatch:
    """Collects console errors, page errors and CSP violations; tests may allow expected ones."""

    def __init__(self):
        self.errors = []
        self.allowed = []

    def allow(self, fragment):
        """Accept console errors containing `fragment` (e.g. "status of 422" for a deliberate error)."""
        self.allowed.append(fragment)

    def unexpected(self):
        return [e for e in self.errors if not any(fragment in e for fragment in self.allowed)]


@pytest.fixture
def console(page):
    watch = ConsoleWatch()
    page.on("console", lambda message: watch.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
    yield watch
    assert not watch.unexpected(), f"console errors: {watch.unexpected()}"


def log_in(page, base_url, email, password=DEMO_PASSWORD):
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def htmx_settled(page):
    """Wait until htmx has swapped in a response and wired up the new elements.

    htmx attaches its handlers to swapped-in content one settle delay (20 ms) after the swap; a
    click or change in that window reaches an element htmx does not know yet, and a test
    that acts at machine speed then sees a plain form post or nothing at all. Call it after
    an expectation that proves the swap happened, before touching the swapped content.
    """
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(0)


def htmx_ready(page):
    """Wait, after a navigation, until the new page has run its deferred scripts and htmx has wired it up.

    The page's fields are usable while it is still parsing, before htmx runs; typing into a
    search field then sends nothing.
    """
    page.wait_for_load_state()
    htmx_settled(page)
