"""Signed public links: one-click unsubscribe (no expiry) and the feedback page (expires), no login.

The paths are fixed here (the web layer routes them; a test checks they agree with url_for), so the
worker can build links without a request. The token names the salon, the customer and, for feedback,
the occasion; it is signed with the app's SECRET_KEY and a salt per purpose.
"""
import functools

from itsdangerous import BadSignature, SignatureExpired, Signer, URLSafeTimedSerializer

UNSUBSCRIBE_PATH = "/m/unsubscribe/"
FEEDBACK_PATH = "/m/feedback/"
FEEDBACK_MAX_AGE = 14 * 24 * 3600


class BadLink(ValueError):
    """A link that was not signed by us, was altered, or has expired (`expired`)."""

    def __init__(self, expired=False):
        super().__init__("expired link" if expired else "invalid link")
        self.expired = expired


@functools.lru_cache(maxsize=16)
def _serializer(secret, salt):
    return URLSafeTimedSerializer(secret, salt=f"salon_web.{salt}")


@functools.lru_cache(maxsize=16)
def _signer(secret, salt):
    return Signer(secret, salt=f"salon_web.{salt}")


def unsubscribe_token(secret, salon_id, customer_id):
    """"<salon>-<customer>.<signature>": a plain signed pair (no JSON, no time), cheap enough for every recipient of a
    10,000-message campaign."""
    return _signer(secret, "unsubscribe").sign(f"{salon_id}-{customer_id}").decode()


def feedback_token(secret, salon_id, customer_id, occasion):
    return _serializer(secret, "feedback").dumps([salon_id, customer_id, occasion])


def read_unsubscribe(secret, token):
    """Return (salon_id, customer_id) of an unsubscribe token; raise BadLink."""
    try:
        value = _signer(secret, "unsubscribe").unsign(token or "").decode()
        salon_id, customer_id = (int(part) for part in value.split("-"))
    except (BadSignature, ValueError, UnicodeDecodeError):
        raise BadLink() from None
    return salon_id, customer_id


def read_feedback(secret, token, max_age=FEEDBACK_MAX_AGE, now=None):
    """Return (salon_id, customer_id, occasion) of a feedback token younger than `max_age`; raise BadLink."""
    return tuple(_load(secret, "feedback", token, max_age, 3))


def _load(secret, salt, token, max_age, length):
    try:
        value = _serializer(secret, salt).loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise BadLink(expired=True) from None
    except BadSignature:
        raise BadLink() from None
    if not isinstance(value, list) or len(value) != length or not all(isinstance(v, int) for v in value[:2]):
        raise BadLink()
    return value


def unsubscribe_url(base_url, secret, salon_id, customer_id):
    return base_url.rstrip("/") + UNSUBSCRIBE_PATH + unsubscribe_token(secret, salon_id, customer_id)


def feedback_url(base_url, secret, salon_id, customer_id, occasion):
    return base_url.rstrip("/") + FEEDBACK_PATH + feedback_token(secret, salon_id, customer_id, occasion)
