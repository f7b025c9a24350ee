"""Customer list search indexes, on PostgreSQL only (SQLite keeps its plain b-tree indexes).

pg_trgm GIN indexes serve substring search of names, phones and e-mails (3+ characters);
text_pattern_ops b-trees per salon serve prefix search: 1-2 character names, and phone prefixes
such as "+25078812%" (the country code's trigrams are in every row, so the GIN index is no help there).
The sort indexes (salon_id, last_visit_at|total_spent|visit_count|name_search, id) exist since 0001.
`CREATE EXTENSION pg_trgm` needs a role allowed to create extensions; on a managed database enable
pg_trgm in its console first (the statement is then a no-op). On a large existing table, create these
indexes by hand with CREATE INDEX CONCURRENTLY before running this migration (IF NOT EXISTS skips them).
"""
from peewee import SqliteDatabase

INDEXES = (
    "CREATE INDEX IF NOT EXISTS salon_customer_name_search_trgm ON salon_customer USING gin (name_search gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS salon_customer_phone_e164_trgm ON salon_customer USING gin (phone_e164 gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS salon_customer_email_trgm ON salon_customer USING gin (email gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS salon_customer_salon_name_prefix ON salon_customer (salon_id, name_search text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS salon_customer_salon_phone_prefix ON salon_customer (salon_id, phone_e164 text_pattern_ops)",
)
NAMES = ("salon_customer_name_search_trgm", "salon_customer_phone_e164_trgm", "salon_customer_email_trgm",
         "salon_customer_salon_name_prefix", "salon_customer_salon_phone_prefix")


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        return
    db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for statement in INDEXES:
        db.execute_sql(statement)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        return
    for name in NAMES:
        db.execute_sql(f"DROP INDEX IF EXISTS {name}")
