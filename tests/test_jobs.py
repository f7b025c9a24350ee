"""The background job room: immediate mode inside the tests, and a real consumer on each queue backend."""
import datetime
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from salon_web import jobs
from salon_web.models import ApiIdempotencyKey, ApiRateWindow, ApiToken, utcnow
from tests import factories
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent
CONSUMER = Path(sys.executable).with_name("huey_consumer")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _stale_and_fresh_bookkeeping(now):
    """Two idempotency keys and two rate windows: one of each expired, one of each still live."""
    user = factories.make_user()
    token = ApiToken.create(user=user, name="till", token_hash=uuid.uuid4().hex)
    ApiIdempotencyKey.create(user=user, key="old", request_hash="x", created_at=now - datetime.timedelta(hours=25))
    ApiIdempotencyKey.create(user=user, key="new", request_hash="x", created_at=now - datetime.timedelta(hours=1))
    ApiRateWindow.create(token=token, window_start=now - datetime.timedelta(hours=2), count=3)
    ApiRateWindow.create(token=token, window_start=now - datetime.timedelta(seconds=30), count=1)


def _remaining():
    return sorted(k.key for k in ApiIdempotencyKey.select()), ApiRateWindow.select().count()


def test_tests_run_tasks_in_immediate_mode(app):
    assert jobs.huey.immediate


def test_prune_task_deletes_only_expired_bookkeeping(app):
    _stale_and_fresh_bookkeeping(utcnow())
    with app.app_context():  # as a view or a CLI command calls it
        jobs.prune_bookkeeping()
    assert _remaining() == (["new"], 1)


def test_prune_runs_every_ten_minutes():
    due = [minute for minute in range(60)
           if jobs.prune_bookkeeping.task_class().validate_datetime(datetime.datetime(2026, 12, 1, 3, minute))]
    assert due == [0, 10, 20, 30, 40, 50]


def test_the_queue_is_redis_exactly_when_redis_url_is_set(tmp_path):
    embedded = jobs.make_queue({"SALON_WEB_HUEY_FILE": str(tmp_path / "q.sqlite3")})
    assert type(embedded).__name__ == "SqliteHuey"
    assert type(jobs.make_queue({"REDIS_URL": REDIS_URL})).__name__ == "RedisHuey"


def _redis_reachable():
    host, port = REDIS_URL.split("//", 1)[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite-queue", "redis"])
def queue_environment(request, tmp_path, database_url):
    """Environment for a consumer and its client: the test database, and a private queue on the chosen backend."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
           "SALON_WEB_HUEY_NAME": f"test-{uuid.uuid4().hex}"}
    env.pop("REDIS_URL", None)
    if request.param == "redis":
        if not _redis_reachable():
            if IN_CI:
                pytest.fail(f"CI runs the job tests on Redis, but {REDIS_URL} is unreachable")
            pytest.skip(f"no Redis at {REDIS_URL}")
        env["REDIS_URL"] = REDIS_URL
    else:
        env["SALON_WEB_HUEY_FILE"] = str(tmp_path / "queue.sqlite3")
    return env


def test_a_real_consumer_runs_a_queued_task(app, queue_environment, tmp_path):
    _stale_and_fresh_bookkeeping(utcnow())
    log = tmp_path / "consumer.log"
    with log.open("wb") as output:
        consumer = subprocess.Popen([str(CONSUMER), "salon_web.jobs.huey", "--workers", "1", "--no-periodic"],
                                    cwd=ROOT, env=queue_environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        subprocess.run([sys.executable, "-c", "from salon_web.jobs import prune_bookkeeping; prune_bookkeeping()"],
                       cwd=ROOT, env=queue_environment, check=True, timeout=30)
        deadline = time.monotonic() + 30
        while _remaining() != (["new"], 1) and time.monotonic() < deadline and consumer.poll() is None:
            time.sleep(0.2)
        assert _remaining() == (["new"], 1), log.read_text()
    finally:
        consumer.terminate()
        try:
            consumer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            consumer.kill()
            consumer.wait(timeout=10)
