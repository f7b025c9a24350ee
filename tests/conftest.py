"""Shared fixtures: a migrated database per run, a clean one per test, app, client, login_as.

The backend comes from SALON_WEB_TEST_BACKEND: "sqlite" (default, a temp file) or
"postgres" (TEST_DATABASE_URL; required in CI, where an unreachable server fails the run).
"""
import os
import re
import types

import pytest
from flask.testing import FlaskClient

from salon_web import create_app, jobs
from salon_web.cli import migrate_database
from salon_web.db import bind, db, open_database
from salon_web.models import ALL_MODELS
from salon_web.services import analytics_cache
from salon_web.translations import compile_catalogues
from tests import factories

BACKEND = os.environ.get("SALON_WEB_TEST_BACKEND", "sqlite")
IN_CI = bool(os.environ.get("CI"))
_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def pytest_report_header(config):
    tier = " (browser tests and schema fuzzing deselected: they run on the PostgreSQL run)" if (
        BACKEND == "sqlite" and os.environ.get("TEST_DATABASE_URL")) else ""
    return f"salon_web test backend: {BACKEND}{tier}"


def pytest_collection_modifyitems(config, items):
    if BACKEND == "postgres":
        return
    if os.environ.get("TEST_DATABASE_URL"):  # a PostgreSQL run follows: run the once-only tier there alone
        once = [item for item in items if _runs_once_on_postgres(item)]
        if once:
            config.hook.pytest_deselected(items=once)
            items[:] = [item for item in items if not _runs_once_on_postgres(item)]
    skip = pytest.mark.skip(reason="needs PostgreSQL (SALON_WEB_TEST_BACKEND=postgres)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def _runs_once_on_postgres(item):
    """Browser tests and API schema fuzzing test the HTTP surface, not the database: once, on production's."""
    return "once_on_postgres" in item.keywords or "/e2e/" in str(item.fspath)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """French and Kinyarwanda pages need the compiled catalogues (`make test` builds them too)."""
    compile_catalogues()


@pytest.fixture(scope="session", autouse=True)
def jobs_run_immediately():
    """Tasks run at once in the caller's app and connection; tests/test_jobs.py also starts a real consumer."""
    jobs.huey.immediate = True


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if BACKEND == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.exit("SALON_WEB_TEST_BACKEND=postgres needs TEST_DATABASE_URL", returncode=1)
    return url


@pytest.fixture(scope="session")
def database(database_url):
    """The session's database, migrated from an empty schema exactly as production would be."""
    database = bind(open_database(database_url))
    try:
        database.connect(reuse_if_open=True)
    except Exception as error:  # an unreachable PostgreSQL must fail the run, never skip it
        pytest.exit(f"cannot connect to the test database {database_url}: {error}", returncode=1)
    if BACKEND == "postgres":  # start from an empty schema; extensions such as pg_trgm stay
        for (table,) in database.execute_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
            database.execute_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    migrate_database(database)
    database.close()
    yield database
    if hasattr(database, "close_all"):
        database.close_all()


def clean_database(database):
    """Empty every table (the schema stays), so each test starts from nothing."""
    analytics_cache.clear()  # what this process kept from the previous test's database
    tables = [m._meta.table_name for m in ALL_MODELS]
    with database.connection_context():
        if BACKEND == "postgres":
            quoted = ", ".join(f'"{t}"' for t in tables)
            database.execute_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        else:
            with database.atomic():
                for table in reversed(tables):
                    database.execute_sql(f'DELETE FROM "{table}"')
                if database.table_exists("sqlite_sequence"):
                    database.execute_sql("DELETE FROM sqlite_sequence")


class CsrfClient(FlaskClient):
    """A test client that sends the page's CSRF token with every write, as htmx does.

    Set `client.csrf_token = None` to send a write without it.
    """

    csrf_token = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A browser always names its languages; the suite's reads English unless a test says otherwise.
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def refresh_csrf_token(self, path="/login"):
        page = self.get(path, follow_redirects=True).get_data(as_text=True)
        match = _TOKEN.search(page)
        assert match, f"no CSRF token on {path}"
        self.csrf_token = match.group(1)
        return self.csrf_token

    def open(self, *args, **kwargs):
        method = kwargs.get("method", "GET").upper()
        if self.csrf_token and method in {"POST", "PUT", "PATCH", "DELETE"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token)
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _built_app(database):
    """The app, built once per run (building one compiles every URL rule: ~40 ms) with its pristine config."""
    app = create_app({"TESTING": True, "DATABASE": database, "SECRET_KEY": "test-secret", "ENV": "testing"})
    app.test_client_class = CsrfClient
    return app, dict(app.config)


@pytest.fixture
def app(database, _built_app):
    """The app over a clean database, its config as built; the test body runs with a connection open."""
    clean_database(database)
    app, config = _built_app
    app.config.clear()
    app.config.update(config)  # tests may change settings (rate limits, throttles) for themselves
    bind(database)  # a test may have built another app, which rebinds the models' proxy
    with database.connection_context():
        yield app


@pytest.fixture
def client(app):
    client = app.test_client()
    client.refresh_csrf_token()
    return client


@pytest.fixture
def world(app):
    """Two salons with staff and a few customers: the cast of most tests."""
    salon = factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")
    other_salon = factories.make_salon("Atelier Lumière", "FR", "Europe/Paris", "EUR")
    users = {
        "admin": factories.make_user("admin@example.com", name="Ada Admin", is_admin=True),
        "owner": factories.make_user("owner@example.com", name="Olive Owner", salon=salon, role="owner"),
        "employee": factories.make_user("employee@example.com", name="Emma Employee", salon=salon, role="employee"),
        "other_owner": factories.make_user("owner2@example.com", name="Odile Owner", salon=other_salon, role="owner"),
    }
    customer = factories.make_customer(salon, "Aline Uwase", phone="0788 123 456", email="aline@example.com", tags=["VIP"])
    other_customer = factories.make_customer(other_salon, "Émilie Martin", phone="06 12 34 56 78")
    return types.SimpleNamespace(
        salon=salon, other_salon=other_salon, users=users, customer=customer, other_customer=other_customer
    )


@pytest.fixture
def login_as(client, world):
    """Log the test client in as "admin", "owner", "employee" or "other_owner" through the real form."""

    def login(role):
        user = world.users[role]
        client.refresh_csrf_token()
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)
        client.refresh_csrf_token("/profile")
        return user

    return login
