"""Idempotency-Key for API POSTs: a retry replays the first answer, a reused key with another body is refused."""
import datetime
import hashlib

from peewee import IntegrityError

from salon_web.db import db
from salon_web.models import ApiIdempotencyKey, utcnow

# A key older than this is unused again: clients retry within minutes; bookkeeping.prune deletes older keys.
KEY_LIFETIME = datetime.timedelta(hours=24)


class KeyReusedWithOtherRequest(Exception):
    """The key was first used for a different method, path or body."""


class RequestInProgress(Exception):
    """The first request with this key has not finished yet."""


def request_hash(method, path, body):
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body or b""])).hexdigest()


def claim(user, key, fingerprint, now=None):
    """Claim a key before doing the work: None if claimed now, else (status, body) to replay."""
    now = now or utcnow()
    for _ in range(3):  # a claim that expired, or was released, in between is claimed again
        try:
            with db.atomic():
                ApiIdempotencyKey.create(user=user, key=key, request_hash=fingerprint, created_at=now)
            return None
        except IntegrityError:
            pass
        first = ApiIdempotencyKey.get_or_none((ApiIdempotencyKey.user == user) & (ApiIdempotencyKey.key == key))
        if first is None:  # released in between
            continue
        if first.created_at < now - KEY_LIFETIME:
            _forget_expired(first, now)
            continue
        if first.request_hash != fingerprint:
            raise KeyReusedWithOtherRequest()
        if first.status is None:
            raise RequestInProgress()
        return first.status, first.body
    raise RequestInProgress()


def _forget_expired(first, now):
    """Delete an expired claim unless a parallel request already replaced it with a fresh one."""
    ApiIdempotencyKey.delete().where(
        (ApiIdempotencyKey.id == first.id) & (ApiIdempotencyKey.created_at < now - KEY_LIFETIME)
    ).execute()


def remember(user, key, status, body):
    """Store the answer to replay for retries."""
    ApiIdempotencyKey.update(status=status, body=body).where(
        (ApiIdempotencyKey.user == user) & (ApiIdempotencyKey.key == key)
    ).execute()


def release(user, key):
    """Forget a claim whose request failed unexpectedly, so a retry can run it."""
    ApiIdempotencyKey.delete().where(
        (ApiIdempotencyKey.user == user) & (ApiIdempotencyKey.key == key) & ApiIdempotencyKey.status.is_null()
    ).execute()
