"""The shared identity is keyed by phone alone and can no longer refuse a salon's write.

The first build linked a new card to an identity found by phone *or e-mail* and kept a unique
(salon, identity) index, so a salon's "possible duplicate" answers depended on which phone and
e-mail another salon held together. Now:
- `customer.email` goes; every card is re-linked to the identity of its current phone, and a
  card without a phone gets an identity of its own; identities no card uses any more are deleted;
- the unique (salon_id, customer_id) index goes; "one card per phone per salon" becomes a unique
  (salon_id, phone_e164) index on the salon's own column.
If a salon already holds two cards with one phone the migration stops and names them: merge or
edit those cards first (nothing is changed until then).
"""
from peewee import *

DUPLICATES = """
    SELECT salon_id, phone_e164, COUNT(*) FROM salon_customer WHERE phone_e164 IS NOT NULL
    GROUP BY salon_id, phone_e164 HAVING COUNT(*) > 1 ORDER BY salon_id, phone_e164 LIMIT 10
"""
NEW_PHONE_IDENTITIES = """
    INSERT INTO customer (phone_e164, created_at)
    SELECT s.phone_e164, MIN(s.created_at) FROM salon_customer s
    WHERE s.phone_e164 IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.phone_e164 = s.phone_e164)
    GROUP BY s.phone_e164
"""
RELINK_BY_PHONE = """
    UPDATE salon_customer SET customer_id = (
        SELECT c.id FROM customer c WHERE c.phone_e164 = salon_customer.phone_e164)
    WHERE phone_e164 IS NOT NULL AND customer_id <> (
        SELECT c.id FROM customer c WHERE c.phone_e164 = salon_customer.phone_e164)
"""
# Phone-less cards still sharing an identity (linked by e-mail, or kept after a phone was removed).
SHARED_PHONELESS = """
    SELECT s.id, s.created_at FROM salon_customer s JOIN customer c ON c.id = s.customer_id
    WHERE s.phone_e164 IS NULL AND (c.phone_e164 IS NOT NULL OR EXISTS (
        SELECT 1 FROM salon_customer o WHERE o.customer_id = s.customer_id AND o.id <> s.id))
    ORDER BY s.id
"""
UNUSED_IDENTITIES = """
    DELETE FROM customer WHERE NOT EXISTS (SELECT 1 FROM salon_customer s WHERE s.customer_id = customer.id)
"""


def up(migrator, db):
    duplicates = db.execute_sql(DUPLICATES).fetchall()
    if duplicates:
        listed = "; ".join(f"salon {salon} has {count} cards with {phone}" for salon, phone, count in duplicates)
        raise RuntimeError(f"Cannot make phones unique per salon: {listed}. Merge or edit those cards, then migrate.")
    db.execute_sql(NEW_PHONE_IDENTITIES)
    db.execute_sql(RELINK_BY_PHONE)
    p = db.param
    for card_id, created_at in db.execute_sql(SHARED_PHONELESS).fetchall():
        identity_id = db.execute_sql(
            f"INSERT INTO customer (phone_e164, created_at) VALUES (NULL, {p}) RETURNING id", (created_at,)
        ).fetchone()[0]
        db.execute_sql(f"UPDATE salon_customer SET customer_id = {p} WHERE id = {p}", (identity_id, card_id))
    db.execute_sql(UNUSED_IDENTITIES)
    migrator.migrate(migrator.drop_index('customer', 'customer_email'), migrator.drop_column('customer', 'email'))
    # Index names as peewee derives them from the model (class name), so schema_diff sees no drift.
    db.execute_sql("DROP INDEX saloncustomer_salon_id_customer_id")
    db.execute_sql("DROP INDEX saloncustomer_salon_id_phone_e164")
    db.execute_sql("CREATE UNIQUE INDEX saloncustomer_salon_id_phone_e164 ON salon_customer (salon_id, phone_e164)")


def down(migrator, db):
    db.execute_sql("DROP INDEX saloncustomer_salon_id_phone_e164")
    db.execute_sql("CREATE INDEX saloncustomer_salon_id_phone_e164 ON salon_customer (salon_id, phone_e164)")
    db.execute_sql("CREATE UNIQUE INDEX saloncustomer_salon_id_customer_id ON salon_customer (salon_id, customer_id)")
    migrator.migrate(
        migrator.add_column('customer', 'email', CharField(null=True, max_length=254)),
        migrator.add_index('customer', ('email',), unique=False),
    )
