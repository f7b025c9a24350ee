"""A child process of bench_analytics: the app of one checkout (its working directory) timing requests on demand.

`python analytics_probe.py <database url> <salon id>` builds that checkout's app with a logged-in test client
and an API token, then answers each line read on stdin with the milliseconds the request took:
- "page": GET the HTML analytics page (30 days), warm;
- "first": the same as a restarted worker's first request (its own memory emptied first);
- "api": GET the API's customer analytics.
"quit" revokes the token and ends. Two probes (before and after a change) are driven in turn, so their timings
interleave on the same machine and data.
"""
import os
import sys
import time

sys.path.insert(0, os.getcwd())  # the checkout being measured, not the one this file lives in

from salon_web import create_app  # noqa: E402
from salon_web.db import bind, open_database  # noqa: E402
from salon_web.models import User, utcnow  # noqa: E402
from salon_web.services import analytics_cache, api_tokens  # noqa: E402
from salon_web.services.sessions import start_session  # noqa: E402


def main(database_url, salon_id):
    database = bind(open_database(database_url))
    app = create_app({"DATABASE": database, "SECRET_KEY": "bench", "TESTING": True, "ENV": "testing"})
    admin, _ = User.get_or_create(
        email="analytics-bench-admin@example.com",
        defaults={"name": "Bench Admin", "is_admin": True, "password_hash": "!unusable"},
    )
    client = app.test_client()
    start_session(admin)
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    token, secret = api_tokens.create_token(admin, "analytics bench")
    paths = {"page": f"/salons/{salon_id}/customers/analytics", "first": f"/salons/{salon_id}/customers/analytics",
             "api": f"/api/v1/salons/{salon_id}/customers/analytics"}
    headers = {"api": {"Authorization": f"Bearer {secret}"}}
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command == "first":
            analytics_cache.clear()  # what a restarted worker has
        started = time.perf_counter()
        response = client.get(paths[command], headers=headers.get(command, {}))
        took = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (command, response.status_code)
        print(f"{took:.3f}", flush=True)
    token.revoked_at = utcnow()
    token.save()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
