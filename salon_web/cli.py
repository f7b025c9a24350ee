"""Flask commands: migrate, seed-demo, create-user, create-salon, create-api-token, bench-data, recompute-visits,
prune-bookkeeping, run-automations."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from peewee import IntegrityError
from playhouse.migrations import Runner

from salon_web.db import connection, db
from salon_web.i18n import LANGUAGES
from salon_web.models import MEMBERSHIP_ROLES, Membership, Salon, User
from salon_web.services.auth import normalize_email
from salon_web.services.passwords import hash_password, password_problem

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def migrate_database(database=None):
    """Apply pending migrations; return the names applied (none on a second run)."""
    return Runner(database or db.obj, str(MIGRATIONS_DIR)).up()


def register_commands(app):
    for command in (migrate, seed_demo, create_user, create_salon, create_api_token, bench_data, prune_bookkeeping,
                    run_automations):
        app.cli.add_command(command)
    from salon_web.visits_cli import recompute_visits

    app.cli.add_command(recompute_visits)
    from salon_web.imports_cli import import_customers

    app.cli.add_command(import_customers)


@click.command("migrate")
@with_appcontext
def migrate():
    """Apply pending database migrations (safe to run twice)."""
    with connection():
        applied = migrate_database()
    click.echo("\n".join(f"applied {name}" for name in applied) or "database is up to date")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when any salon exists.")
def seed_demo(if_empty):
    """Create the demo salons, users and customers (idempotent)."""
    from salon_web.sample_data.demo import seed_demo as run_seed

    with connection():
        if if_empty and Salon.select().exists():
            click.echo("database has salons already; demo data not loaded")
            return
        summary = run_seed(current_app.config["DEMO_PASSWORD"])
    click.echo(f"demo data: {summary['salons']} salons, {summary['users']} users, {summary['customers']} customers, "
               f"{summary['sales']} sales added")


@click.command("create-salon")
@with_appcontext
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--country", required=True, help="ISO 3166 code, e.g. RW")
@click.option("--timezone", "timezone_name", required=True, help="IANA zone, e.g. Africa/Kigali")
@click.option("--currency", required=True, help="ISO 4217 code, e.g. RWF")
@click.option("--language", default="en", show_default=True, type=click.Choice(sorted(LANGUAGES)),
              help="Default language: staff without a choice of their own, and the clients' messages")
def create_salon(name, slug, country, timezone_name, currency, language):
    """Create a salon."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {timezone_name!r}", param_hint="--timezone")
    with connection():
        try:
            salon = Salon.create(
                name=name, slug=slug, country=country.upper(), timezone=timezone_name, currency=currency.upper(),
                language=language,
            )
        except IntegrityError:
            raise click.ClickException(f"a salon with slug {slug!r} exists already")
    click.echo(f"created salon {salon.id} {salon.name}")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Give access to every salon.")
@click.option("--salon", "salon_slug", help="Slug of the salon to join.")
@click.option("--role", type=click.Choice(MEMBERSHIP_ROLES), default="employee", show_default=True)
def create_user(email, name, password, admin, salon_slug, role):
    """Create a staff account, optionally a member of one salon."""
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    with connection(), db.atomic():
        salon = None
        if salon_slug:
            salon = Salon.get_or_none(Salon.slug == salon_slug)
            if salon is None:
                raise click.ClickException(f"no salon with slug {salon_slug!r}")
        try:
            user = User.create(email=normalize_email(email), name=name, is_admin=admin,
                               password_hash=hash_password(password))
        except IntegrityError:
            raise click.ClickException(f"a user with email {email!r} exists already")
        if salon:
            Membership.create(salon=salon, user=user, role=role)
    click.echo(f"created user {user.id} {user.email}")


@click.command("create-api-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="API token", show_default=True, help="What the token is for.")
def create_api_token(email, name):
    """Create a personal API token for a user; the token is printed alone on the last line."""
    from salon_web.services.api_tokens import create_token
    from salon_web.services.auth import find_user_by_email

    with connection():
        user = find_user_by_email(email)
        if user is None or not user.is_active:
            raise click.ClickException(f"no active user with email {email!r}")
        token, secret = create_token(user, name)
    click.echo(f"created token {token.id} ({token.name}) for {user.email}; it is shown only now:")
    click.echo(secret)


@click.command("prune-bookkeeping")
@with_appcontext
def prune_bookkeeping():
    """Delete expired idempotency keys, API rate windows, login throttle windows and sessions; print the counts."""
    from salon_web.services.bookkeeping import prune_expired

    with connection():
        deleted = prune_expired(current_app.config)
    for kind, count in deleted.items():
        click.echo(f"deleted {count} expired {kind}")


@click.command("bench-data")
@with_appcontext
@click.option("--customers", type=click.IntRange(1, 5_000_000), default=200_000, show_default=True,
              help="Customers in the large bench salon (a second salon always gets 2,000).")
@click.option("--seed", type=int, default=42, show_default=True)
def bench_data(customers, seed):
    """Replace the bench salons with generated customers and visit ledger (for `make bench`)."""
    import time

    from salon_web.sample_data.bench_data import build

    started = time.perf_counter()
    with connection():
        ids = build(customers, seed=seed, password=current_app.config["DEMO_PASSWORD"], log=click.echo)
    click.echo(f"bench salons {ids} built in {time.perf_counter() - started:.1f} s")


@click.command("run-automations")
@with_appcontext
@click.option("--salon", "salon_id", type=int, help="Only this salon.")
@click.option("--at", "at_text", help="The moment to run for, ISO 8601; with an offset it is that instant, "
              "without one it is UTC.")
@click.option("--no-send", is_flag=True, help="Queue only; the worker sends.")
def run_automations(salon_id, at_text, no_send):
    """Queue what the automations intend at that moment and send what is due (running twice sends nothing new)."""
    import datetime

    from salon_web.services.messages.automations import run_automations as run

    at = None
    if at_text:
        try:
            at = datetime.datetime.fromisoformat(at_text)
        except ValueError:
            raise click.BadParameter("use ISO 8601, e.g. 2026-12-01T09:00+02:00", param_hint="--at")
        if at.tzinfo is not None:
            at = at.astimezone(datetime.UTC).replace(tzinfo=None)
    with connection():
        summary = run(current_app.config, at=at, salon_id=salon_id, deliver=not no_send)
    for salon, queued in sorted(summary["queued"].items()):
        click.echo(f"salon {salon}: " + (", ".join(f"{name} {count}" for name, count in queued.items()) or "nothing"))
    if summary["delivered"]:
        click.echo("delivered: " + ", ".join(f"{status} {count}" for status, count in summary["delivered"].items()))
