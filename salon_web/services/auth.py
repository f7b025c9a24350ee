"""Logging in: password checks, throttling kept in the database, account lookup."""
import datetime

from peewee import Case

from salon_web.db import db
from salon_web.models import LoginThrottle, User, utcnow
from salon_web.services import audit
from salon_web.services.api_tokens import revoke_all_tokens
from salon_web.services.passwords import hash_password, needs_rehash, verify_password
from salon_web.services.sessions import end_all_sessions


class LoginThrottled(Exception):
    """Too many recent attempts for this account or this address."""


def normalize_email(email):
    return (email or "").strip().lower()


def find_user_by_email(email):
    return User.get_or_none(User.email == normalize_email(email))


def reserve_attempt(key, *, limit, window_seconds, now):
    """Count one attempt for `key` before its password is checked; return True while within `limit`.

    One upsert that returns the new count: N parallel attempts get N distinct counts, so at most
    `limit` of them go on to a password check. A window older than window_seconds starts again at 1.
    """
    expired = LoginThrottle.window_start < now - datetime.timedelta(seconds=window_seconds)
    counted = (
        LoginThrottle.insert(key=key, window_start=now, count=1)
        .on_conflict(
            conflict_target=[LoginThrottle.key],
            update={
                LoginThrottle.count: Case(None, [(expired, 1)], LoginThrottle.count + 1),
                LoginThrottle.window_start: Case(None, [(expired, now)], LoginThrottle.window_start),
            },
        )
        .returning(LoginThrottle.count)
        .tuples()
        .execute()
    )
    return counted[0][0] <= limit


def reserve_password_check(email, ip, *, per_account, per_ip, window_seconds, now=None):
    """Count an attempt against the account and the address; raise LoginThrottled when either is spent."""
    now = now or utcnow()
    if not reserve_attempt(_account_key(email), limit=per_account, window_seconds=window_seconds, now=now):
        raise LoginThrottled()
    if not reserve_attempt(_ip_key(ip), limit=per_ip, window_seconds=window_seconds, now=now):
        raise LoginThrottled()


def _forgive(email, ip):
    """A right password: the account starts afresh and the address gets its attempt back."""
    LoginThrottle.delete().where(LoginThrottle.key == _account_key(email)).execute()
    LoginThrottle.update(count=LoginThrottle.count - 1).where(
        (LoginThrottle.key == _ip_key(ip)) & (LoginThrottle.count > 0)
    ).execute()


def _account_key(email):
    return f"account:{normalize_email(email)}"


def _ip_key(ip):
    return f"ip:{(ip or 'unknown')[:64]}"  # an address is at most 45 characters; the key column holds 300


def forget_old_attempts(before):
    """Delete throttle windows that started before `before` (they would start afresh anyway); return how many."""
    return LoginThrottle.delete().where(LoginThrottle.window_start < before).execute()


def authenticate(email, password, ip, **limits):
    """Return the active user for these credentials, or None; raise LoginThrottled."""
    email = normalize_email(email)
    reserve_password_check(email, ip, **limits)
    user = find_user_by_email(email)
    password_ok = verify_password(user.password_hash if user else None, password)
    with db.atomic():
        if user is None or not password_ok or not user.is_active:
            audit.record("login.failed", user=user, ip=ip, detail={"email": email})
            return None
        _forgive(email, ip)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            user.save(only=[User.password_hash])
        audit.record("login.ok", user=user, ip=ip)
    return user


def confirm_password(user, password, ip, **limits):
    """Return whether `password` is the logged-in user's own; throttled like a login (raise LoginThrottled)."""
    reserve_password_check(user.email, ip, **limits)
    if not verify_password(user.password_hash, password or ""):
        audit.record("password.check_failed", user=user, ip=ip)
        return False
    _forgive(user.email, ip)
    return True


def log_out_everywhere(user):
    """End every session of the user and revoke every API token; return how many tokens were revoked."""
    with db.atomic():
        end_all_sessions(user)
        return revoke_all_tokens(user)


def change_password(user, new_password):
    """Set a new password, end every session and revoke every API token; return the refreshed user."""
    with db.atomic():
        User.update(password_hash=hash_password(new_password)).where(User.id == user.id).execute()
        log_out_everywhere(user)
    return User.get_by_id(user.id)


def choose_language(user, language):
    """Remember the user's language ("" or None: follow the browser); the caller checks it is one we speak."""
    user.language = language or None
    User.update(language=user.language).where(User.id == user.id).execute()
    return user
