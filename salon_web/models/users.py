"""Staff accounts, their salon memberships, API tokens and login throttling."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField

from salon_web.models.base import BaseModel, UTCDateTimeField, utcnow
from salon_web.models.salons import Salon

OWNER = "owner"
EMPLOYEE = "employee"
ADMIN = "admin"  # not a membership role: User.is_admin grants every salon
MEMBERSHIP_ROLES = (OWNER, EMPLOYEE)


class User(BaseModel):
    email = CharField(max_length=254, unique=True)  # stored lower-cased
    name = CharField(max_length=200)
    password_hash = CharField(max_length=255)
    is_admin = BooleanField(default=False)
    is_active = BooleanField(default=True)
    # Bumped by a password change or "log out everywhere": older sessions stop working.
    session_version = IntegerField(default=1)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "user"

    # flask-login protocol
    is_authenticated = True
    is_anonymous = False

    def get_id(self):
        return f"{self.id}:{self.session_version}"


class Membership(BaseModel):
    salon = ForeignKeyField(Salon, backref="memberships", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    role = CharField(max_length=20, choices=[(r, r) for r in MEMBERSHIP_ROLES])

    class Meta:
        table_name = "membership"
        indexes = ((("salon", "user"), True),)


class ApiToken(BaseModel):
    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = CharField(max_length=100)
    token_hash = CharField(max_length=128, unique=True)  # sha256 hex of the secret
    created_at = UTCDateTimeField(default=utcnow)
    last_used_at = UTCDateTimeField(null=True)
    revoked_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "api_token"


class LoginFailure(BaseModel):
    """One failed login; counted per account and per IP to throttle guessing."""

    email = CharField(max_length=254, index=True)
    ip = CharField(max_length=64, index=True)
    at = UTCDateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "login_failure"
