"""Migration 0008 re-links existing cards by phone alone, on a copy of the schema as 0007 left it."""
import shutil

import pytest
from peewee import PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse
from playhouse.migrations import Runner

from salon_web.cli import MIGRATIONS_DIR
from tests.conftest import BACKEND

SCHEMA = "migration_0008_test"


@pytest.fixture
def old_database(tmp_path, database_url):
    """A database migrated up to 0007, in its own file (SQLite) or schema (PostgreSQL)."""
    if BACKEND == "postgres":
        database = PostgresqlDatabase(**parse(database_url), options=f"-c search_path={SCHEMA},public")
        database.execute_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        database.execute_sql(f"CREATE SCHEMA {SCHEMA}")
    else:
        database = SqliteDatabase(str(tmp_path / "old.sqlite3"), pragmas={"foreign_keys": 1})
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("0*.py")):
        if path.name < "0008":
            shutil.copy(path, folder)
    Runner(database, str(folder)).up()
    shutil.copy(MIGRATIONS_DIR / "0008_identity_by_phone.py", folder)
    yield database, folder
    if BACKEND == "postgres":
        database.execute_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    database.close()


def _insert(database, table, **values):
    names = ", ".join(values)
    marks = ", ".join([database.param] * len(values))
    return database.execute_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks}) RETURNING id',
                                tuple(values.values())).fetchone()[0]


def _card(database, salon, identity, name, phone=None, email=None):
    return _insert(database, "salon_customer", salon_id=salon, customer_id=identity, full_name=name,
                   name_search=name.lower(), phone_e164=phone, email=email, notes="", preferences="{}", visit_count=0,
                   total_spent=0, version=1,
                   communication_preferences="[]", created_at="2025-01-01 10:00:00",
                   updated_at="2025-01-01 10:00:00")


def _identity_of(database, card):
    return database.execute_sql(f"SELECT customer_id FROM salon_customer WHERE id = {database.param}",
                                (card,)).fetchone()[0]


def test_cards_are_relinked_by_their_current_phone_and_emails_are_dropped(old_database):
    database, folder = old_database
    a, b = (_insert(database, "salon", name=n, slug=n, country="RW", timezone="Africa/Kigali", currency="RWF",
                    created_at="2025-01-01 10:00:00") for n in ("a", "b"))
    by_email = _insert(database, "customer", phone_e164="+250788000001", email="fam@example.com",
                       created_at="2025-01-01 10:00:00")
    # B: phone and e-mail together. A: e-mail only (linked by e-mail), a second family card the
    # same way, and a card whose phone was edited after it was linked.
    theirs = _card(database, b, by_email, "B", "+250788000001", "fam@example.com")
    mum = _card(database, a, by_email, "Mum", None, "fam@example.com")
    old_phone = _insert(database, "customer", phone_e164="+250788000009", email=None,
                        created_at="2025-01-01 10:00:00")
    edited = _card(database, a, old_phone, "Edited", "+250788000002")

    Runner(database, str(folder)).up()

    assert _identity_of(database, theirs) == by_email  # still the identity of its phone
    assert _identity_of(database, mum) not in (by_email, old_phone)  # no phone: one of its own
    new_identity = _identity_of(database, edited)
    assert database.execute_sql(f"SELECT phone_e164 FROM customer WHERE id = {database.param}",
                                (new_identity,)).fetchone()[0] == "+250788000002"
    assert [c.name for c in database.get_columns("customer")] == ["id", "phone_e164", "created_at"]
    remaining = {row[0] for row in database.execute_sql("SELECT phone_e164 FROM customer")}
    assert remaining == {"+250788000001", "+250788000002", None}  # +250788000009 was no card's any more
    # Two phone-less cards of one salon may now exist; two with one phone may not.
    _card(database, a, _insert(database, "customer", created_at="2025-01-02"), "Son", None, "fam@example.com")
    with pytest.raises(Exception), database.atomic():
        _card(database, a, new_identity, "Twin", "+250788000002")


def test_duplicate_phones_in_one_salon_stop_the_migration_and_are_named(old_database):
    database, folder = old_database
    salon = _insert(database, "salon", name="a", slug="a", country="RW", timezone="Africa/Kigali", currency="RWF",
                    created_at="2025-01-01 10:00:00")
    for n in (1, 2):
        identity = _insert(database, "customer", phone_e164=f"+25078800000{n}", created_at="2025-01-01")
        _card(database, salon, identity, f"Card {n}", "+250788000005")
    with pytest.raises(RuntimeError, match=r"salon \d+ has 2 cards with \+250788000005"):
        Runner(database, str(folder)).up()
    assert "email" in [c.name for c in database.get_columns("customer")]  # nothing was changed
