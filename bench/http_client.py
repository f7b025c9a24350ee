"""gunicorn and a bare HTTP client for the benchmarks measured over HTTP (`throughput`, `bench.http_pages`).

`start_gunicorn` serves a checkout as deployed (sync workers, SALON_WEB_ENV=production) in its own process group,
`stop` ends that group; `log_in` returns the bench owner's session cookie; `load` lets threads fetch a page for some
seconds and returns every request's latency (http.client, a fresh connection per request). The server runs in the
checkout given (cwd, so `python -m gunicorn` imports that checkout's wsgi.py), whatever this one's code is.
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

from bench.support import BENCH_PASSWORD
from salon_web.sample_data.bench_data import BENCH_USER, SMALL_SLUG

WORKERS = 2


def start_gunicorn(url, app_dir, port, workers=WORKERS, app="wsgi:app", ready_path="/login"):
    """gunicorn serving `app` from `app_dir` on DATABASE_URL `url` at 127.0.0.1:`port`, once it answers
    `ready_path`."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is in use already (another benchmark's server?): choose another one")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-throughput", "SALON_WEB_ENV": "production"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        cwd=app_dir, env=env, start_new_session=True)
    try:
        for _ in range(100):
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn for {app_dir} exited with status {server.returncode}")
            try:
                request(port, "GET", ready_path, timeout=2)
                return server
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn for {app_dir} did not start")
    except BaseException:  # not started, or Ctrl-C while waiting: leave no server behind
        stop(server)
        raise


def stop(server):
    """End gunicorn's process group (the arbiter and its workers) and wait for the arbiter."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # the group is gone already
    server.wait(timeout=30)


def request(port, method, path, headers=None, body=None, timeout=30):
    """(response, body bytes) of one request on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def cookie(response):
    """The Cookie header that sends back every cookie `response` set."""
    return "; ".join(value.split(";")[0] for name, value in response.getheaders() if name.lower() == "set-cookie")


def log_in(port, email=BENCH_USER, password=BENCH_PASSWORD):
    """Log in through the login form (CSRF token from the page); return the session's Cookie header."""
    response, page = request(port, "GET", "/login")
    token = re.search(rb'"X-CSRFToken": "([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode({"email": email, "password": password})
    response, _ = request(port, "POST", "/login", {
        "Cookie": cookie(response), "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded"}, body)
    if response.status != 303:
        raise RuntimeError(f"logging in as {email} on port {port} answered {response.status}, not 303")
    return cookie(response)


def load(port, path, session_cookie, seconds, clients):
    """`clients` threads fetching `path` for `seconds`: (pages, errors, latencies in ms)."""
    latencies, errors, stop_at = [], [], time.perf_counter() + seconds
    lock = threading.Lock()

    def client():
        mine, failed = [], 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                response, _ = request(port, "GET", path, {"Cookie": session_cookie})
                if response.status != 200:
                    failed += 1
            except OSError:
                failed += 1
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors.append(failed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), sum(errors), latencies


def warm_up(port, path, session_cookie, seconds=1.0, workers=WORKERS):
    """Fetch `path` from as many clients as there are workers, so every worker has served it (caches, plans)."""
    load(port, path, session_cookie, seconds, workers)


def small_salon_pages(salon_id, busiest_id):
    """Issue 12's single-client pages of the 2,000-customer bench salon: [(label, path)]."""
    return [("2k salon first page", f"/salons/{salon_id}/customers"),
            ("2k salon surname search", f"/salons/{salon_id}/customers?q=uwase"),
            ("2k salon busiest card", f"/salons/{salon_id}/customers/{busiest_id}")]


def small_salon_id(cursor, url):
    """The id of the 2,000-customer bench salon (`bench-small`), read with plain SQL so any schema version will do."""
    cursor.execute("SELECT id FROM salon WHERE slug = %s", (SMALL_SLUG,))
    found = cursor.fetchone()
    if found is None:
        raise SystemExit(f"{url}: no salon {SMALL_SLUG!r}; run that checkout's `flask --app wsgi bench-data`")
    return found[0]
