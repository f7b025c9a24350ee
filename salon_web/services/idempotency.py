"""Idempotency-Key for API POSTs: a retry replays the first answer, a reused key with another body is refused.

The claim, the effect and the recorded answer commit in ONE transaction (the caller's), so a key never
outlives a failed attempt: a dropped connection or a killed worker rolls back claim and effect together,
and a retry runs the operation as if for the first time. A concurrent twin's claim waits on the unique
(user, key) until the first transaction ends, then replays its answer (or claims, if it rolled back).
A key older than KEY_LIFETIME is unused again.
"""
import datetime
import hashlib

from salon_web.models import ApiIdempotencyKey, utcnow

# Clients retry within minutes; bookkeeping.prune deletes older keys.
KEY_LIFETIME = datetime.timedelta(hours=24)


class KeyReusedWithOtherRequest(Exception):
    """The key was first used for a different method, path or body."""


def request_hash(method, path, body):
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body or b""])).hexdigest()


def claim(user, key, fingerprint, now=None):
    """Claim a key inside the caller's transaction: None if claimed now, else (status, body) to replay."""
    now = now or utcnow()
    if _insert_claim(user, key, fingerprint, now):
        return None
    first = ApiIdempotencyKey.get((ApiIdempotencyKey.user == user) & (ApiIdempotencyKey.key == key))
    if first.created_at < now - KEY_LIFETIME:
        # Delete only that expired row: a parallel request may already have replaced it with a fresh claim.
        ApiIdempotencyKey.delete().where(
            (ApiIdempotencyKey.id == first.id) & (ApiIdempotencyKey.created_at < now - KEY_LIFETIME)).execute()
        if _insert_claim(user, key, fingerprint, now):
            return None
        first = ApiIdempotencyKey.get((ApiIdempotencyKey.user == user) & (ApiIdempotencyKey.key == key))
    if first.request_hash != fingerprint:
        raise KeyReusedWithOtherRequest()
    return first.status, first.body


def _insert_claim(user, key, fingerprint, now):
    """Insert the claim row; False when the key is taken.

    ON CONFLICT DO NOTHING waits for an uncommitted twin instead of failing, and never aborts the transaction.
    """
    return bool(ApiIdempotencyKey.insert(user=user, key=key, request_hash=fingerprint, created_at=now)
                .on_conflict_ignore().as_rowcount().execute())


def remember(user, key, status, body):
    """Store the answer to replay for retries (in the claiming transaction)."""
    ApiIdempotencyKey.update(status=status, body=body).where(
        (ApiIdempotencyKey.user == user) & (ApiIdempotencyKey.key == key)
    ).execute()
