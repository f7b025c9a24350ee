"""Exactly once under a killed worker: a real huey_consumer sends a 2,000-message campaign to a real SMTP server,
is SIGKILLed mid-batch and restarted; every client gets the message exactly once.

SMTP's commit point precedes the final "." of DATA: the message in flight at the kill was never accepted by the
server, so the restarted consumer sends it again once MESSAGE_SENDING_TIMEOUT has passed."""
import collections
import os
import signal
import subprocess
import time


from salon_web.models.messages import OutboundMessage
from salon_web.services.messages import campaigns
from salon_web.web_forms.customer_list import segment_filter
from tests import factories
from tests.messages_helpers import bulk_customers, start_smtp, without_quiet_hours
from tests.test_jobs import CONSUMER, ROOT, queue_environment  # noqa: F401  (the fixture: SQLite queue and Redis)

RECIPIENTS = 2_000


def _start(environment, log):
    with log.open("ab") as output:
        return subprocess.Popen([str(CONSUMER), "salon_web.jobs.huey", "--workers", "1"], cwd=ROOT, env=environment,
                                stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def _wait(condition, timeout, consumer, log):
    deadline = time.monotonic() + timeout
    while not condition():
        assert consumer.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.1)


def _statuses():
    return collections.Counter(status for (status,) in OutboundMessage.select(OutboundMessage.status).tuples())


def test_a_killed_consumer_never_sends_a_message_twice(app, queue_environment, tmp_path):  # noqa: F811
    salon = factories.make_salon("Mass Mail", "RW", "Africa/Kigali", "RWF")
    bulk_customers(salon, RECIPIENTS, phone=True, email=True)
    # The consumer sends at the real clock: no quiet hours, whatever the hour of the run.
    campaign = campaigns.create_campaign(
        salon, without_quiet_hours(salon), app.config, name="Everyone", customer_filter=segment_filter("", salon)[0],
        channel="email", language="en", subject="Hello {first_name}", body="News from {salon_name}",
        send_at=None)
    assert campaign.queued_count == RECIPIENTS
    controller, inbox = start_smtp()
    environment = {**queue_environment, "SMTP_URL": f"smtp://127.0.0.1:{controller.port}",
                   "SMTP_FROM": "salon@glow.example", "SALON_WEB_MESSAGE_SENDING_TIMEOUT": "2"}
    log = tmp_path / "consumer.log"
    try:
        consumer = _start(environment, log)  # its start-up hook resumes the queue
        _wait(lambda: len(inbox.messages) >= 300, 120, consumer, log)
        os.killpg(consumer.pid, signal.SIGKILL)
        consumer.wait(timeout=10)
        killed_at = len(inbox.messages)
        assert killed_at < RECIPIENTS, "the consumer finished before it was killed"
        in_flight = _statuses()["sending"]
        assert in_flight <= 1  # one message at a time is in flight
        time.sleep(2.5)  # past MESSAGE_SENDING_TIMEOUT: the restarted consumer resumes it

        consumer = _start(environment, log)
        _wait(lambda: _statuses() == {"sent": RECIPIENTS}, 300, consumer, log)
        os.killpg(consumer.pid, signal.SIGTERM)
        consumer.wait(timeout=20)
    finally:
        controller.stop()
        if consumer.poll() is None:
            os.killpg(consumer.pid, signal.SIGKILL)

    received = collections.Counter(inbox.recipients())
    assert max(received.values()) == 1, [r for r, n in received.items() if n > 1][:5]  # never twice
    assert len(received) == RECIPIENTS  # none lost
    print(f"killed after {killed_at} of {RECIPIENTS} ({in_flight} in flight, resumed); each of {len(received)} "
          "recipients received exactly one")
