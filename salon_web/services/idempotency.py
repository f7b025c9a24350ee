"""Idempotency-Key for API POSTs: a retry replays the first answer, a reused key with another body is refused.

The claim, the effect and the recorded answer commit in ONE transaction (the caller's), so a key never
outlives a failed attempt: a dropped connection or a killed worker rolls back claim and effect together,
and a retry runs the operation as if for the first time. A concurrent twin's claim waits on the unique
(user, key) until the first transaction ends, then replays its answer (or claims, if it rolled back).
"""
import hashlib

from salon_web.models import ApiIdempotencyKey, utcnow


class KeyReusedWithOtherRequest(Exception):
    """The key was first used for a different method, path or body."""


def request_hash(method, path, body):
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body or b""])).hexdigest()


def claim(user, key, fingerprint):
    """Claim a key inside the caller's transaction: None if claimed now, else (status, body) to replay."""
    # ON CONFLICT DO NOTHING waits for an uncommitted twin instead of failing, and never aborts the transaction.
    claimed = (ApiIdempotencyKey.insert(user=user, key=key, request_hash=fingerprint, created_at=utcnow())
               .on_conflict_ignore().as_rowcount().execute())
    if claimed:
        return None
    first = ApiIdempotencyKey.get((ApiIdempotencyKey.user == user) & (ApiIdempotencyKey.key == key))
    if first.request_hash != fingerprint:
        raise KeyReusedWithOtherRequest()
    return first.status, first.body


def remember(user, key, status, body):
    """Store the answer to replay for retries (in the claiming transaction)."""
    ApiIdempotencyKey.update(status=status, body=body).where(
        (ApiIdempotencyKey.user == user) & (ApiIdempotencyKey.key == key)
    ).execute()
