"""Browser sessions kept server-side: the signed cookie carries a random key, the `user_session` row says it is live.

Logout deletes the row, so a cookie copied before it stops working; a password change or
"log out everywhere" deletes all of the user's rows. Every worker reads the same table.
"""
import collections
import datetime
import functools
import hashlib
import secrets

from salon_web import prepared_sql
from salon_web.db import is_postgres
from salon_web.ids import in_range
from salon_web.models import Salon, User, UserSession, utcnow
from salon_web.models.base import column_list, row_model
from salon_web.sql_dialect import json_rows, read_json_rows, timestamp

# A session ends this long after login even if nobody logs out, so abandoned rows can be pruned.
LIFETIME = datetime.timedelta(days=30)

# Every request runs this; written out once because composing it with peewee cost ~0.3 ms a request.
_USER_COLUMNS = column_list(User._meta.sorted_fields, "u")
SESSION_USER_SQL = (f'SELECT {_USER_COLUMNS} FROM "user" AS u JOIN "user_session" AS s ON s."user_id" = u."id" '
                    'WHERE s."key_hash" = ? AND s."created_at" >= ? AND u."is_active" LIMIT 1')
# A page of a salon: the user, that salon (NULLs when it does not exist) and the user's role in it (NULL: none).
_SALON_COLUMNS = column_list(Salon._meta.sorted_fields, "sa")
# It also reads the top bar's salon switcher, the first few of the user's own salons as [[id, name], ...] (a page
# asked for them with a statement of its own; an admin, who may enter every salon, still does).
_SWITCHER_SQL = (
    'SELECT {rows} FROM (SELECT ms."id", ms."name" FROM "salon" AS ms JOIN "membership" AS mm '
    'ON mm."salon_id" = ms."id" WHERE mm."user_id" = u."id" ORDER BY ms."name", ms."id" LIMIT ?) AS switcher')
SESSION_USER_IN_SALON_SQL = (
    f'SELECT {_USER_COLUMNS}, {_SALON_COLUMNS}, m."role", ({{switcher}}) FROM "user" AS u '
    'JOIN "user_session" AS s ON s."user_id" = u."id" '
    'LEFT JOIN "salon" AS sa ON sa."id" = ? '
    'LEFT JOIN "membership" AS m ON m."salon_id" = sa."id" AND m."user_id" = u."id" '
    'WHERE s."key_hash" = ? AND s."created_at" >= ? AND u."is_active" LIMIT 1')
SwitcherSalon = collections.namedtuple("SwitcherSalon", "id name")


@functools.cache
def _session_user_in_salon_sql(postgres):  # `postgres` keys the cache: json_rows spells per dialect
    switcher = _SWITCHER_SQL.format(rows=json_rows('switcher."id", switcher."name"', 'switcher."name", switcher."id"'))
    return SESSION_USER_IN_SALON_SQL.format(switcher=switcher)


def _digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user):
    """Record a new session for the user; return the user carrying its key (flask-login stores user.get_id())."""
    key = secrets.token_urlsafe(32)
    UserSession.create(user=user, key_hash=_digest(key))
    user.session_key = key
    return user


def load_session_user(session_key, now=None, *, salon_id=None, switcher_size=0):
    """Return the active user of a live session key, in one query; None once the session has ended.

    With `salon_id` (the salon in the URL), the same statement reads that salon and the user's role in it:
    the user carries them as `salon_entry` (salon id, Salon or None, role or None), which
    services.salons.enter_salon uses instead of a query of its own. It also reads the first `switcher_size` of the
    user's own salons by name, as `switcher_salons` ([SwitcherSalon], None for an admin).
    """
    if not session_key or len(session_key) > 100:
        return None
    cutoff = (now or utcnow()) - LIFETIME
    if salon_id is None or not in_range(salon_id):
        row = prepared_sql.execute(SESSION_USER_SQL, (_digest(session_key), timestamp(cutoff))).fetchone()
        user = row_model(User, User._meta.sorted_fields, row) if row else None
    else:
        user = _user_and_salon(salon_id, _digest(session_key), timestamp(cutoff), switcher_size)
    if user is not None:
        user.session_key = session_key
    return user


def _user_and_salon(salon_id, key_hash, cutoff, switcher_size):
    sql = _session_user_in_salon_sql(is_postgres())
    row = prepared_sql.execute(sql, (switcher_size, salon_id, key_hash, cutoff)).fetchone()
    if row is None:
        return None
    user_fields, salon_fields = User._meta.sorted_fields, Salon._meta.sorted_fields
    user = row_model(User, user_fields, row[:len(user_fields)])
    salon_values, role, switcher = row[len(user_fields):-2], row[-2], row[-1]
    salon = row_model(Salon, salon_fields, salon_values) if salon_values[0] is not None else None
    user.salon_entry = (salon_id, salon, role)
    if not user.is_admin:
        user.switcher_salons = [SwitcherSalon(*pair) for pair in read_json_rows(switcher, _by_name)]
    return user


def _by_name(pair):
    salon_id, name = pair
    return name, salon_id


def end_session(session_key):
    """Delete one session (logout); return whether it was live."""
    if not session_key:
        return False
    return bool(UserSession.delete().where(UserSession.key_hash == _digest(session_key)).execute())


def end_all_sessions(user):
    """Delete every session of the user, on every device; return how many ended."""
    return UserSession.delete().where(UserSession.user == user).execute()


def forget_expired_sessions(now):
    """Delete sessions past LIFETIME (they no longer log anyone in); return how many."""
    return UserSession.delete().where(UserSession.created_at < now - LIFETIME).execute()
