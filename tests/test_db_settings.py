"""The app's PostgreSQL connections (salon_web.db): what each is opened with, and how the pool hands them out."""
import time

import psycopg2
import pytest

from salon_web.db import open_database

pytestmark = pytest.mark.postgres_only


def test_connections_have_no_jit_and_the_statement_timeout(database_url):
    database = open_database(database_url, statement_timeout=2.5)
    try:
        with database.connection_context():
            settings = dict(database.execute_sql(
                "SELECT name, setting FROM pg_settings WHERE name IN ('jit', 'statement_timeout')").fetchall())
    finally:
        database.close_all()
    assert settings == {"jit": "off", "statement_timeout": "2500"}


def test_a_live_idle_connection_is_handed_out_without_a_round_trip_and_a_dead_one_is_replaced(database_url, monkeypatch):
    database = open_database(database_url)
    pings = []
    original = database._adapter.is_connection_closed
    monkeypatch.setattr(database._adapter, "is_connection_closed", lambda conn: pings.append(1) or original(conn))

    def backend_pid():
        with database.connection_context():
            return database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]

    try:
        first = backend_pid()
        assert backend_pid() == first and pings == []  # pooled, reused, no SELECT 1
        with psycopg2.connect(database_url) as other, other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (first,))
        time.sleep(0.2)  # the backend's goodbye reaches the idle connection's socket
        assert backend_pid() != first  # checked (it had something to read), found dead, replaced
        assert pings == [1]
    finally:
        database.close_all()
