"""Flask commands: migrate, seed-demo, create-user, create-salon, bench-data."""
from pathlib import Path

import click
from flask import current_app
from peewee import IntegrityError
from playhouse.migrations import Runner

from salon_web.db import db
from salon_web.models import MEMBERSHIP_ROLES, Membership, Salon, User
from salon_web.services.auth import normalize_email
from salon_web.services.passwords import hash_password, password_problem

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def migrate_database(database=None):
    """Apply pending migrations; return the names applied (none on a second run)."""
    return Runner(database or db.obj, str(MIGRATIONS_DIR)).up()


def register_commands(app):
    for command in (migrate, seed_demo, create_user, create_salon, bench_data):
        app.cli.add_command(command)


@click.command("migrate")
def migrate():
    """Apply pending database migrations (safe to run twice)."""
    with db.connection_context():
        applied = migrate_database()
    click.echo("\n".join(f"applied {name}" for name in applied) or "database is up to date")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when any salon exists.")
def seed_demo(if_empty):
    """Create the demo salons, users and customers (idempotent)."""
    from salon_web.services.demo import seed_demo as run_seed

    with db.connection_context():
        if if_empty and Salon.select().exists():
            click.echo("database has salons already; demo data not loaded")
            return
        summary = run_seed(current_app.config["DEMO_PASSWORD"])
    click.echo(f"demo data: {summary['salons']} salons, {summary['users']} users, {summary['customers']} customers added")


@click.command("create-salon")
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--country", required=True, help="ISO 3166 code, e.g. RW")
@click.option("--timezone", "timezone_name", required=True, help="IANA zone, e.g. Africa/Kigali")
@click.option("--currency", required=True, help="ISO 4217 code, e.g. RWF")
def create_salon(name, slug, country, timezone_name, currency):
    """Create a salon."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {timezone_name!r}", param_hint="--timezone")
    with db.connection_context():
        try:
            salon = Salon.create(
                name=name, slug=slug, country=country.upper(), timezone=timezone_name, currency=currency.upper()
            )
        except IntegrityError:
            raise click.ClickException(f"a salon with slug {slug!r} exists already")
    click.echo(f"created salon {salon.id} {salon.name}")


@click.command("create-user")
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
    with db.connection_context(), db.atomic():
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


@click.command("bench-data")
@click.option("--customers", type=click.IntRange(1, 5_000_000), default=200_000, show_default=True,
              help="Customers in the large bench salon (a second salon always gets 2,000).")
@click.option("--seed", type=int, default=42, show_default=True)
def bench_data(customers, seed):
    """Replace the bench salons with generated customers and visit ledger (for `make bench`)."""
    import time

    from salon_web.services.bench_data import build

    started = time.perf_counter()
    with db.connection_context():
        ids = build(customers, seed=seed, password=current_app.config["DEMO_PASSWORD"], log=click.echo)
    click.echo(f"bench salons {ids} built in {time.perf_counter() - started:.1f} s")
