"""`flask run-automations [--salon ID] [--at ISO]`, the periodic tasks, and seed-demo's switched-on automations."""
import datetime

from salon_web import jobs
from salon_web.models.messages import OutboundMessage
from salon_web.sample_data.demo import DEMO_AUTOMATIONS, seed_demo
from salon_web.services.messages.rules import settings_for
from salon_web.services.messages.settings import switch_on
from tests import factories
from tests.messages_helpers import consenting


def test_run_automations_for_a_moment_twice_sends_nothing_new(app):
    paris = factories.make_salon("Atelier", "FR", "Europe/Paris", "EUR")
    kigali = factories.make_salon("Glow", "RW", "Africa/Kigali", "RWF")
    for salon, phone in ((paris, "06 12 34 56 78"), (kigali, "0788 123 456")):
        consenting(salon, "Amélie Birthday", phone=phone, birthday=datetime.date(1991, 3, 14))
        switch_on(salon, "birthday")
    runner = app.test_cli_runner()
    # 09:30 in Paris is 10:30 in Kigali (UTC+1 and UTC+2 on 14 March): both due; --salon limits it to Paris.
    first = runner.invoke(args=["run-automations", "--salon", str(paris.id), "--at", "2027-03-14T09:30+01:00"])
    assert first.exit_code == 0, first.output
    assert f"salon {paris.id}: birthday 1" in first.output and "sent 1" in first.output
    again = runner.invoke(args=["run-automations", "--salon", str(paris.id), "--at", "2027-03-14T09:30+01:00"])
    assert f"salon {paris.id}: birthday 0" in again.output and "sent 0" in again.output
    assert [m.salon_id for m in OutboundMessage.select()] == [paris.id]
    early = runner.invoke(args=["run-automations", "--at", "2027-03-14T06:59"])  # UTC: 08:59 in Kigali
    assert f"salon {kigali.id}: birthday 0" in early.output
    everyone = runner.invoke(args=["run-automations", "--at", "2027-03-14T07:00Z"])
    assert f"salon {kigali.id}: birthday 1" in everyone.output and f"salon {paris.id}: birthday 0" in everyone.output
    bad = runner.invoke(args=["run-automations", "--at", "tomorrow"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_the_periodic_tasks_run_every_minute_and_every_five_minutes():
    def due(task):
        return [m for m in range(60) if task.task_class().validate_datetime(datetime.datetime(2026, 12, 1, 3, m))]

    assert due(jobs.deliver_messages_every_minute) == list(range(60))
    assert due(jobs.run_automations_every_five_minutes) == list(range(0, 60, 5))


def test_seed_demo_switches_on_birthday_follow_up_and_reminders(app):
    seed_demo("demo-password-123", customers_per_salon=3)
    from salon_web.models import Salon
    for salon in Salon.select():
        assert set(settings_for(salon).automations) == set(DEMO_AUTOMATIONS)
