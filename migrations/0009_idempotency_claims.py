"""Forget Idempotency-Key claims left without an answer by the old separate-transaction code.

Claims now commit together with their answer, so a row without one can only be such a leftover;
kept, it would answer its retries with 409 "still running" forever.
"""


def up(migrator, db):
    db.execute_sql('DELETE FROM "api_idempotency_key" WHERE "status" IS NULL')


def down(migrator, db):
    pass
