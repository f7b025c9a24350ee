"""Password hashing with argon2id at OWASP's recommended parameters."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP: m=19 MiB, t=2, p=1 (about 19 ms per hash on this machine kind).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

# Verified against when the email is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_LENGTH = 10


def hash_password(password):
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash, password):
    """Return True when the password matches; never raises for a bad hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password):
    """Return why a new password is unacceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > 1024:
        return "That password is too long."
    return None
