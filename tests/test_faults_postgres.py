"""Fault injection against the real app in a gunicorn process on PostgreSQL.

A sale is stalled mid-transaction by a row lock this test holds on the customer's figures; then its
database backend is terminated, its worker is killed, or its client gives up. Every retry with the same
key must then perform the sale exactly once, or return the one that committed. A database that never
answers, or is not there, must give 503 with Retry-After within seconds; static files need no database.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
import requests

from salon_web.models import Sale, SalonCustomer
from salon_web.services.api_tokens import create_token
from tests import factories

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "salon_web_faults"
SECRET = "fault-test-secret"
_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with one sync worker on a free loopback port; always stopped by its fixture."""

    def __init__(self, database_url, log_path, connect_timeout=2, statement_timeout=30):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "SALON_WEB_ENV": "development",
               "SALON_WEB_DB_CONNECT_TIMEOUT": str(connect_timeout),
               "SALON_WEB_DB_STATEMENT_TIMEOUT": str(statement_timeout),
               "SALON_WEB_DB_APPLICATION_NAME": APP_NAME}
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "sync", "--timeout", "60",
             "--graceful-timeout", "2", "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True)

    def wait_until_serving(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited; see its log in the test's tmp_path"
            try:
                if requests.get(self.url + "/static/app.css", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not start serving in time")

    def worker_pids(self):
        """Pids of the master's children (its workers), from /proc."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def start_server(database_url, tmp_path):
    servers = []

    def start(url=None, **timeouts):
        servers.append(Server(url or database_url, tmp_path / "gunicorn.log", **timeouts))
        servers[-1].wait_until_serving()  # after append: a server that never serves is stopped too
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(app, start_server):
    return start_server()


@pytest.fixture
def locker(database_url):
    """This test's own connection, to hold row locks that stall the app's sale."""
    connection = psycopg2.connect(database_url, connect_timeout=5, application_name="salon_web_fault_locker")
    yield connection
    connection.close()


@pytest.fixture
def pool():
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def hold_figures(locker, customer):
    """Lock the customer's figures row: the app's sale blocks on it, mid-transaction."""
    with locker.cursor() as cursor:
        cursor.execute("SELECT id FROM salon_customer WHERE id = %s FOR UPDATE", (customer.id,))


def stalled_backend(locker, seconds=15):
    """The pid of the app's backend waiting on a lock (pg_stat_activity), once it is there."""
    deadline = time.monotonic() + seconds
    # Not `with connection:`: that would hold one transaction, and pg_stat_activity would stay its first snapshot.
    with closing(psycopg2.connect(locker.dsn, connect_timeout=5)) as watcher:
        watcher.autocommit = True
        with watcher.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s "
                               "AND wait_event_type = 'Lock'", (APP_NAME,))
                row = cursor.fetchone()
                if row:
                    return row[0]
                time.sleep(0.05)
            cursor.execute("SELECT application_name, state, wait_event_type, left(query, 80) FROM pg_stat_activity "
                           "WHERE datname = current_database()")
            activity = cursor.fetchall()
    raise AssertionError(f"the sale never blocked on the figures lock: {activity}")


def terminate(locker, pid):
    with closing(psycopg2.connect(locker.dsn, connect_timeout=5)) as killer:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
            assert cursor.fetchone()[0]


def wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def figures(customer):
    fresh = SalonCustomer.get_by_id(customer.id)
    return fresh.visit_count, fresh.total_spent


class Till:
    """Posts the same sale over the API with one Idempotency-Key."""

    def __init__(self, server, world, key):
        _, secret = create_token(world.users["employee"], "till")
        self.url = f"{server.url}/api/v1/salons/{world.salon.id}/sales"
        self.headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": key}
        self.body = {"customerId": world.customer.id, "items": [{"description": "Braids", "unitPrice": 20000}]}

    def post(self, timeout=30):
        return requests.post(self.url, json=self.body, headers=self.headers, timeout=timeout)


class Browser:
    """A logged-in staff member posting the sales form with one form key."""

    def __init__(self, server, world, key):
        self.session = requests.Session()
        self.base = server.url
        self.url = f"{server.url}/salons/{world.salon.id}/sales"
        self.form = {"customer_id": str(world.customer.id), "idempotency_key": key,
                     "item_description": ["Braids"], "item_quantity": ["1"], "item_price": ["20000"]}
        self.csrf = self.token("/login")
        response = self.session.post(server.url + "/login", headers={"X-CSRFToken": self.csrf}, timeout=10,
                                     data={"email": world.users["employee"].email, "password": factories.PASSWORD},
                                     allow_redirects=False)
        assert response.status_code == 303, response.text
        self.csrf = self.token(self.url.removeprefix(server.url))

    def token(self, path):
        return _TOKEN.search(self.session.get(self.base + path, timeout=10).text).group(1)

    def post(self, timeout=30):
        return self.session.post(self.url, data=self.form, headers={"X-CSRFToken": self.csrf}, timeout=timeout,
                                 allow_redirects=False)


@pytest.mark.parametrize("client_kind", ["api", "form"])
def test_terminated_backend_answers_503_and_the_retry_posts_once(server, world, locker, pool, client_kind):
    client = (Till if client_kind == "api" else Browser)(server, world, "fault-terminate")
    hold_figures(locker, world.customer)
    pending = pool.submit(client.post)
    terminate(locker, stalled_backend(locker))
    answer = pending.result(timeout=30)
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    locker.rollback()
    assert Sale.select().count() == 0 and figures(world.customer) == (0, 0)  # claim and effect rolled back
    retry = client.post()
    assert retry.status_code == (201 if client_kind == "api" else 303), retry.text
    assert client.post().status_code == retry.status_code  # and again: replayed, not repeated
    assert Sale.select().where(Sale.idempotency_key == "fault-terminate").count() == 1
    assert figures(world.customer) == (1, 20000)


def test_killed_worker_then_retry_posts_once(server, world, locker, pool):
    till = Till(server, world, "fault-kill")
    hold_figures(locker, world.customer)
    pending = pool.submit(till.post)
    stalled_backend(locker)
    (worker,) = server.worker_pids()
    os.kill(worker, signal.SIGKILL)
    with pytest.raises(requests.ConnectionError):
        pending.result(timeout=30)
    locker.rollback()  # the dead worker's backend finishes, finds its client gone, and rolls back
    server.wait_until_serving()  # the master has started a new worker
    retry = till.post()
    assert retry.status_code == 201, retry.text
    assert Sale.select().where(Sale.idempotency_key == "fault-kill").count() == 1
    assert figures(world.customer) == (1, 20000)


@pytest.mark.parametrize("client_kind", ["api", "form"])
def test_committed_sale_whose_answer_was_lost_is_returned_to_the_retry(server, world, locker, pool, client_kind):
    client = (Till if client_kind == "api" else Browser)(server, world, "fault-lost")
    hold_figures(locker, world.customer)
    pending = pool.submit(client.post, timeout=2)  # the client gives up: the answer is lost
    stalled_backend(locker)
    with pytest.raises(requests.Timeout):
        pending.result(timeout=30)
    locker.rollback()  # now the sale commits, answering a client that has gone
    wait_for(lambda: Sale.select().where(Sale.idempotency_key == "fault-lost").exists())
    retry = client.post()
    sale = Sale.get(Sale.idempotency_key == "fault-lost")
    if client_kind == "api":
        assert retry.status_code == 201 and retry.json()["id"] == sale.id
        assert retry.headers["Idempotent-Replayed"] == "true"
    else:
        assert retry.status_code == 303 and f"customer={world.customer.id}" in retry.headers["Location"]
    assert Sale.select().count() == 1 and figures(world.customer) == (1, 20000)


@pytest.fixture
def black_hole():
    """A loopback port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except (TimeoutError, OSError):
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    listener.close()


def test_a_database_that_never_answers_gives_503_within_seconds(app, world, start_server, black_hole):
    _, secret = create_token(world.users["owner"], "api")
    server = start_server(f"postgresql://postgres@127.0.0.1:{black_hole}/salon_web", connect_timeout=2)
    salon = world.salon.id
    for path, headers in [("/login", {}), (f"/salons/{salon}/customers", {"HX-Request": "true", "HX-Target": "results"}),
                          (f"/api/v1/salons/{salon}/customers", {"Authorization": f"Bearer {secret}"})]:
        started = time.monotonic()
        response = requests.get(server.url + path, headers=headers, timeout=20)
        assert response.status_code == 503 and response.headers["Retry-After"], path
        assert time.monotonic() - started < 5, path
    assert response.headers["Content-Type"] == "application/problem+json"
    started = time.monotonic()
    assert requests.get(server.url + "/static/app.css", timeout=5).status_code == 200
    assert time.monotonic() - started < 1


def test_logged_in_user_gets_the_503_page_while_the_database_is_stopped(server, world, start_server):
    browser = Browser(server, world, "unused")
    down = start_server(f"postgresql://postgres@127.0.0.1:{free_port()}/salon_web")  # nothing listens there
    for headers in ({}, {"HX-Request": "true", "HX-Target": "results"}):
        response = browser.session.get(f"{down.url}/salons/{world.salon.id}/customers", headers=headers, timeout=20)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "Temporarily unavailable" in response.text
