"""Personal API tokens: shown once, stored as a hash, revocable."""
import datetime
import hashlib
import secrets

from peewee import IntegrityError

from salon_web.db import db
from salon_web.models import ApiToken, User, utcnow

PREFIX = "sw_"
# last_used_at is refreshed at most this often, so reads do not write on every call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, name):
    """Create a token; return (ApiToken, secret). The secret is never stored or shown again."""
    name = " ".join((name or "").split())[:100] or "API token"
    for _ in range(3):
        secret = PREFIX + secrets.token_urlsafe(32)
        try:
            with db.atomic():
                return ApiToken.create(user=user, name=name, token_hash=_digest(secret)), secret
        except IntegrityError:  # astronomically unlikely; draw again
            continue
    raise RuntimeError("could not create a unique token")


def user_for_token(secret, now=None):
    """Return (user, token) for a live token of an active user, or (None, None)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None, None
    token = (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where((ApiToken.token_hash == _digest(secret)) & ApiToken.revoked_at.is_null() & User.is_active)
        .first()
    )
    if token is None:
        return None, None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.update(last_used_at=now).where(ApiToken.id == token.id).execute()
    return token.user, token


def tokens_of(user):
    """Return the user's tokens, newest first (revoked ones included, marked)."""
    return ApiToken.select().where(ApiToken.user == user).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())


def revoke_token(user, token_id):
    """Revoke one of the user's own tokens; return False when there is no such live token."""
    return bool(
        ApiToken.update(revoked_at=utcnow())
        .where((ApiToken.id == token_id) & (ApiToken.user == user) & ApiToken.revoked_at.is_null())
        .execute()
    )


def revoke_all_tokens(user):
    """Revoke every live token of the user (password change, "log out everywhere"); return how many."""
    return (
        ApiToken.update(revoked_at=utcnow())
        .where((ApiToken.user == user) & ApiToken.revoked_at.is_null())
        .execute()
    )
