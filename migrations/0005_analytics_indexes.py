"""Indexes for analytics: newcomers by first visit, and visits read by index alone (salon, time, customer, amount).

Names are those peewee derives from the models' Meta.indexes, so schema diffs stay empty."""
INDEXES = [
    ("saloncustomer_salon_id_first_visit_at", "salon_customer", ("salon_id", "first_visit_at")),
    ("visit_salon_id_occurred_at_customer_id_amount", "visit", ("salon_id", "occurred_at", "customer_id", "amount")),
]


def up(migrator, db):
    for name, table, columns in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({", ".join(columns)})')


def down(migrator, db):
    for name, _, _ in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
