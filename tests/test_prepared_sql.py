"""salon_web.prepared_sql: fixed SQL planned once per PostgreSQL connection, with the same answers as plain SQL."""
import datetime

import pytest

from salon_web import db as db_module, prepared_sql
from salon_web.db import bind, db, is_postgres, open_database
from salon_web.models import utcnow
from salon_web.services import sessions
from salon_web.sql_dialect import execute as execute_plain, timestamp
from tests.test_tenant_sql import recorded_sql

# ? placeholders of several types (PREPARE infers each $n's type from its use), a % among the values.
TEXT = ('SELECT "id", "name" FROM "salon" WHERE "id" >= ? AND "name" LIKE ? AND "created_at" < ? '
        'ORDER BY "id" LIMIT ?')


def _params(world):
    return [world.salon.id, "%", timestamp(utcnow() + datetime.timedelta(days=1)), 5]


def _prepared_here():
    rows = db.execute_sql("SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'salon_web_%%'")
    return dict(rows.fetchall())


def test_the_answers_are_those_of_plain_sql(world):
    expected = execute_plain(TEXT, _params(world)).fetchall()
    assert expected
    for _ in range(7):  # past the five custom plans, PostgreSQL may switch to its generic plan
        assert prepared_sql.execute(TEXT, _params(world)).fetchall() == expected


@pytest.mark.postgres_only
def test_a_statement_is_prepared_once_per_connection_and_logged_as_its_own_sql(world):
    with recorded_sql(requests_only=False) as statements:
        for _ in range(3):
            prepared_sql.execute(TEXT, _params(world))
    prepared = _prepared_here()
    name, _ = prepared_sql._prepare_statement(TEXT)
    assert name in prepared and '"name" LIKE $2' in prepared[name]
    assert [s for s in statements if "salon" in s] == [TEXT.replace("?", "%s")] * 3  # read back, PREPARE unlogged


@pytest.mark.postgres_only
def test_a_rollback_keeps_the_statement_and_a_new_connection_prepares_again(world, database_url):
    with db.atomic() as transaction:
        expected = prepared_sql.execute(TEXT, _params(world)).fetchall()
        transaction.rollback()
    assert prepared_sql.execute(TEXT, _params(world)).fetchall() == expected  # PREPARE is not transactional
    # Another connection (as after a restart or a killed backend) has nothing prepared: it prepares anew.
    serving, other = db.obj, open_database(database_url)
    bind(other)
    try:
        with other.connection_context():
            assert _prepared_here() == {}
            assert prepared_sql.execute(TEXT, _params(world)).fetchall() == expected
            assert list(_prepared_here()) == [prepared_sql._prepare_statement(TEXT)[0]]
    finally:
        bind(serving)
        other.close_all()


@pytest.mark.postgres_only
def test_switched_off_it_sends_plain_sql(world, monkeypatch):
    monkeypatch.setattr(db_module, "_prepare_statements", False)
    db.execute_sql("DEALLOCATE ALL")
    prepared_sql._prepared.pop(db.connection(), None)  # this connection's record only: others keep theirs
    prepared_sql.execute(TEXT, _params(world))
    assert _prepared_here() == {}


def test_the_session_statement_gives_the_same_user_prepared_or_not(world, monkeypatch):
    key = sessions.start_session(world.users["owner"]).session_key
    prepared = sessions.load_session_user(key, salon_id=world.salon.id, switcher_size=8)
    monkeypatch.setattr(db_module, "_prepare_statements", False)
    plain = sessions.load_session_user(key, salon_id=world.salon.id, switcher_size=8)
    assert prepared.__data__ == plain.__data__ and prepared.salon_entry == plain.salon_entry
    assert prepared.switcher_salons == plain.switcher_salons
    assert is_postgres() or prepared_sql._prepared == {}  # SQLite keeps compiled statements itself
