"""What every PostgreSQL connection of the app is opened with (salon_web.db.open_database)."""
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
