"""Staff accounts, their salon memberships, sessions, API tokens and login throttling."""
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
    language = CharField(max_length=8, null=True)  # chosen on the profile; None follows the browser
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "user"

    # flask-login protocol
    is_authenticated = True
    is_anonymous = False
    session_key = None  # the browser session this user was loaded for (services/sessions.py)

    def get_id(self):
        return self.session_key


class Membership(BaseModel):
    salon = ForeignKeyField(Salon, backref="memberships", on_delete="CASCADE", index=False)
    user = ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    role = CharField(max_length=20, choices=[(r, r) for r in MEMBERSHIP_ROLES])

    class Meta:
        table_name = "membership"
        indexes = ((("salon", "user"), True),)


class UserSession(BaseModel):
    """One logged-in browser: its cookie holds the key; logout, a password change or "log out everywhere" delete it."""

    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    key_hash = CharField(max_length=64, unique=True)  # sha256 hex of the key in the signed cookie
    created_at = UTCDateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "user_session"


class ApiToken(BaseModel):
    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = CharField(max_length=100)
    token_hash = CharField(max_length=128, unique=True)  # sha256 hex of the secret
    created_at = UTCDateTimeField(default=utcnow)
    last_used_at = UTCDateTimeField(null=True)
    revoked_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "api_token"


class LoginThrottle(BaseModel):
    """Login attempts for one account ("account:<email>") or address ("ip:<ip>") since window_start.

    An attempt is counted before its password is checked, so parallel guesses cannot overrun the limit.
    """

    key = CharField(max_length=300, unique=True)
    window_start = UTCDateTimeField(index=True)
    count = IntegerField(default=0)

    class Meta:
        table_name = "login_throttle"
