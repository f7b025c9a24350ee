"""Logging in: password checks, throttling kept in the database, account lookup."""
import datetime

from salon_web.db import db
from salon_web.models import LoginFailure, User, utcnow
from salon_web.services import audit
from salon_web.services.passwords import hash_password, needs_rehash, verify_password


class LoginThrottled(Exception):
    """Too many recent failures for this account or this address."""


def normalize_email(email):
    return (email or "").strip().lower()


def find_user_by_email(email):
    return User.get_or_none(User.email == normalize_email(email))


def check_throttle(email, ip, *, per_account, per_ip, window_seconds, now=None):
    """Raise LoginThrottled when recent failures exceed either limit."""
    since = (now or utcnow()) - datetime.timedelta(seconds=window_seconds)
    recent = LoginFailure.select().where(LoginFailure.at >= since)
    if recent.where(LoginFailure.email == normalize_email(email)).count() >= per_account:
        raise LoginThrottled()
    if recent.where(LoginFailure.ip == ip).count() >= per_ip:
        raise LoginThrottled()


def authenticate(email, password, ip, **limits):
    """Return the active user for these credentials, or None; raise LoginThrottled."""
    email = normalize_email(email)
    check_throttle(email, ip, **limits)
    user = find_user_by_email(email)
    password_ok = verify_password(user.password_hash if user else None, password)
    with db.atomic():
        if user is None or not password_ok or not user.is_active:
            LoginFailure.create(email=email, ip=ip)
            audit.record("login.failed", user=user, ip=ip, detail={"email": email})
            return None
        LoginFailure.delete().where(LoginFailure.email == email).execute()
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            user.save(only=[User.password_hash])
        audit.record("login.ok", user=user, ip=ip)
    return user


def load_session_user(session_id):
    """Return the user for a flask-login id "<id>:<session_version>", or None if stale."""
    user_id, _, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = User.get_or_none(User.id == int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def end_other_sessions(user):
    """Invalidate every session of this user (the caller logs the current one in again)."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def change_password(user, new_password):
    """Set a new password and end all other sessions; return the refreshed user."""
    User.update(
        password_hash=hash_password(new_password),
        session_version=User.session_version + 1,
    ).where(User.id == user.id).execute()
    return User.get_by_id(user.id)
