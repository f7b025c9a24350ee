"""Birthdays of the week (the Today page) from an index on PostgreSQL: the salon, then month * 100 + day of birth.

The expression is sql_dialect.month_day_number_sql's, the one the query filters on (to_char, which the query used
before, is not immutable and cannot be indexed). SQLite keeps its plain schema, like the search indexes of 0003.
On a large existing table, create it by hand with CREATE INDEX CONCURRENTLY first (IF NOT EXISTS then skips it).
"""
from peewee import SqliteDatabase

NAME = "salon_customer_salon_birthday_day"


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        return
    db.execute_sql(f"CREATE INDEX IF NOT EXISTS {NAME} ON salon_customer "
                   "(salon_id, (date_part('month', birthday) * 100 + date_part('day', birthday)))")


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        return
    db.execute_sql(f"DROP INDEX IF EXISTS {NAME}")
