"""Idempotency-Key for API POSTs: a retry replays the first answer, a reused key with another body is refused."""
import hashlib

from peewee import IntegrityError

from salon_web.db import db
from salon_web.models import ApiIdempotencyKey


class KeyReusedWithOtherRequest(Exception):
    """The key was first used for a different method, path or body."""


class RequestInProgress(Exception):
    """The first request with this key has not finished yet."""


def request_hash(method, path, body):
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body or b""])).hexdigest()


def claim(user, key, fingerprint):
    """Claim a key before doing the work: None if claimed now, else (status, body) to replay."""
    try:
        with db.atomic():
            ApiIdempotencyKey.create(user=user, key=key, request_hash=fingerprint)
        return None
    except IntegrityError:
        pass
    first = ApiIdempotencyKey.get((ApiIdempotencyKey.user == user) & (ApiIdempotencyKey.key == key))
    if first.request_hash != fingerprint:
        raise KeyReusedWithOtherRequest()
    if first.status is None:
        raise RequestInProgress()
    return first.status, first.body


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
