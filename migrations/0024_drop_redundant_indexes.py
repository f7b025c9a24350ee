"""Drop the indexes that a wider index already serves: each one's columns lead another index of its table.

A lookup by `salon_id` reads `(salon_id, created_at)` as well as `(salon_id)`, and a foreign key's checks and
cascades use either; the narrow copy only cost every insert and every update of an indexed column (a sale posted
wrote 9 index entries into `sale`, 8 into `visit` and, for its customer's new figures, 18 into `salon_customer`),
and gave the planner one more path to weigh for every statement. Most were the index peewee adds to each foreign
key by default; the models now say `index=False` where a wider index leads with that key. `tests/test_indexes.py`
keeps it so. On a large busy table, drop them by hand first with DROP INDEX CONCURRENTLY (IF EXISTS then skips them).
"""

REDUNDANT = (  # (index, table, columns): what `down` puts back
    ("analyticscell_salon_id", "analytics_cell", "salon_id"),
    ("apiidempotencykey_user_id", "api_idempotency_key", "user_id"),
    ("apiratewindow_token_id", "api_rate_window", "token_id"),
    ("appointment_customer_id", "appointment", "customer_id"),
    ("appointment_salon_id", "appointment", "salon_id"),
    ("auditevent_salon_id", "audit_event", "salon_id"),
    ("campaign_salon_id", "campaign", "salon_id"),
    ("customercommunication_customer_id", "customer_communication", "customer_id"),
    ("customercommunication_salon_id", "customer_communication", "salon_id"),
    ("customerfeedback_salon_id", "customer_feedback", "salon_id"),
    ("customerimport_salon_id", "customer_import", "salon_id"),
    ("customerimportrow_customer_import_id", "customer_import_row", "customer_import_id"),
    ("customerimportrow_salon_id", "customer_import_row", "salon_id"),
    ("customermerge_salon_id", "customer_merge", "salon_id"),
    ("customertag_customer_id", "customer_tag", "customer_id"),
    ("customertag_salon_id", "customer_tag", "salon_id"),
    ("membership_salon_id", "membership", "salon_id"),
    ("messagetemplate_salon_id", "message_template", "salon_id"),
    ("outboundmessage_salon_id", "outbound_message", "salon_id"),
    ("sale_customer_id", "sale", "customer_id"),
    ("sale_salon_id", "sale", "salon_id"),
    ("saleitem_salon_id", "sale_item", "salon_id"),
    ("saloncustomer_salon_id", "salon_customer", "salon_id"),
    ("savedsegment_salon_id", "saved_segment", "salon_id"),
    ("service_salon_id", "service", "salon_id"),
    ("tag_salon_id", "tag", "salon_id"),
    ("visit_customer_id", "visit", "customer_id"),
    ("visit_salon_id", "visit", "salon_id"),
    ("visit_salon_id_occurred_at", "visit", "salon_id, occurred_at"),
)


def up(migrator, db):
    for name, _table, _columns in REDUNDANT:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


def down(migrator, db):
    for name, table, columns in REDUNDANT:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')
