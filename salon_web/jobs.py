"""Background work on Huey: the queue, the task context, and the periodic tasks.

The queue is embedded by default (SqliteHuey, a file in the instance folder) and Redis when REDIS_URL is set,
so a newcomer needs nothing and production scales out with more consumers. A consumer runs
`huey_consumer salon_web.jobs.huey` (`make run` starts one beside the web server).

Huey's decorators need the queue when this module is imported, so its settings come from the environment,
not from create_app's config: REDIS_URL, SALON_WEB_HUEY_FILE (the SQLite queue's path) and SALON_WEB_HUEY_NAME.
Tests switch the queue to immediate mode, where a task runs inside the caller's app and connection.

A task's work lives in a service; the task only gives it an app, a database connection and the time. Anything a task
must remember between runs lives in the database, never in the consumer's memory. Periodic tasks that depend on the
hour of day (a birthday message at 09:00) run often and ask a service which salons are due in their own time zone.
"""
import os
from functools import wraps
from pathlib import Path

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

from salon_web.db import connection

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def make_queue(environ=os.environ):
    """Return the Huey queue the environment names: Redis when REDIS_URL is set, else the embedded SQLite file."""
    name = environ.get("SALON_WEB_HUEY_NAME", "salon_web")
    if environ.get("REDIS_URL"):
        return RedisHuey(name, url=environ["REDIS_URL"])
    path = Path(environ.get("SALON_WEB_HUEY_FILE") or INSTANCE_DIR / "huey.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path))


huey = make_queue()
_consumer_app = None


def _task_app():
    """Return the app a task runs in: the caller's (immediate mode, tests) or one built once per consumer process."""
    global _consumer_app
    if has_app_context():
        return current_app._get_current_object()
    if _consumer_app is None:
        from salon_web import create_app  # salon_web imports nothing from here; built lazily in the consumer

        _consumer_app = create_app()
    return _consumer_app


def in_app(task_body):
    """Run a task body inside the app's context with a database connection held for it."""

    @wraps(task_body)
    def run(*args, **kwargs):
        with _task_app().app_context(), connection():
            return task_body(*args, **kwargs)

    return run


@huey.periodic_task(crontab(minute="*/10"), retries=2, retry_delay=60)
@in_app
def prune_bookkeeping():
    """Delete expired idempotency keys, rate and throttle windows and sessions; return the counts per kind."""
    from salon_web.services.bookkeeping import prune_expired

    return prune_expired(current_app.config)


@huey.task()
@in_app
def dry_run_customer_import(salon_id, import_id, then_apply=False, user_id=None):
    """Dry-run an import with its chosen mapping (services/customer_import.py); with then_apply, import it next."""
    from salon_web.models import CustomerImport, Salon
    from salon_web.services.clock import local_today
    from salon_web.services.customer_import import apply_import, dry_run, queue

    salon = Salon.get_by_id(salon_id)
    customer_import = CustomerImport.get_in_salon(salon, import_id)
    today = local_today(salon.timezone)
    dry_run(customer_import, salon, customer_import.mapping, today=today)
    if then_apply and queue(CustomerImport.get_in_salon(salon, import_id), salon, user=user_id):
        apply_import(salon, import_id, today=today)


@huey.task()
@in_app
def apply_customer_import(salon_id, import_id):
    """Apply a queued client-book import (services/customer_import.py); its progress lives in its row."""
    from salon_web.models import Salon
    from salon_web.services.clock import local_today
    from salon_web.services.customer_import import apply_import

    salon = Salon.get_by_id(salon_id)
    apply_import(salon, import_id, today=local_today(salon.timezone))


@huey.task(retries=2, retry_delay=30)
@in_app
def deliver_messages(salon_id=None):
    """Send every outbound message that is due (one salon or all); return the counts per outcome."""
    from salon_web.services.messages.delivery import deliver_due

    return deliver_due(current_app.config, salon_id=salon_id)


@huey.periodic_task(crontab(minute="*"), retries=1, retry_delay=30)
@in_app
def deliver_messages_every_minute():
    """Send what became due: deferred by quiet hours, scheduled campaigns, retries, a consumer restarted mid-batch."""
    from salon_web.services.messages.delivery import deliver_due

    return deliver_due(current_app.config)


@huey.periodic_task(crontab(minute="*/5"), retries=1, retry_delay=60)
@in_app
def run_automations_every_five_minutes():
    """Queue and send what each salon's automations intend now, in each salon's own time zone."""
    from salon_web.services.messages.automations import run_automations

    return run_automations(current_app.config)


@huey.on_startup()
def _resume_messages():
    """A consumer that starts (or restarts after a crash) resumes the outbound queue at once."""
    if not huey.immediate:
        deliver_messages()


@huey.periodic_task(crontab(minute="*"), retries=1, retry_delay=30)
@in_app
def refresh_settled_analytics():
    """Store the settled analytics months and day parts of salons whose stored ones are missing or stale."""
    from salon_web.services.analytics.page import refresh_settled

    return refresh_settled()
