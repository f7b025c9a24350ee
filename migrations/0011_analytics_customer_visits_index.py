"""Index for analytics: a customer's visits in time order within the salon, read by index alone.

Second-visit conversion looks up each newcomer's next visit here with one index descent (no heap).
The name is the one peewee derives from Visit.Meta.indexes, so schema diffs stay empty."""
INDEXES = [
    ("visit_salon_id_customer_id_occurred_at", "visit", ("salon_id", "customer_id", "occurred_at")),
]


def up(migrator, db):
    for name, table, columns in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({", ".join(columns)})')


def down(migrator, db):
    for name, _, _ in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
