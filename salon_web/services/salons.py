"""Salons and who may enter them."""
from salon_web import one_trip
from salon_web.ids import in_range
from salon_web.models import ADMIN_ROLE, Membership, Salon, User
from salon_web.models.base import column_list, row_model
from salon_web.sql_dialect import placeholders

# The gate, the switcher and the staff list run on most pages; written out once because composing them with peewee
# cost ~0.3 ms each a request. The same rows as the peewee queries below them.
_SALON_COLUMNS = column_list(Salon._meta.sorted_fields, "s")
MEMBER_SALON_SQL = (f'SELECT {_SALON_COLUMNS}, m."role" FROM "salon" AS s JOIN "membership" AS m '
                    'ON m."salon_id" = s."id" WHERE s."id" = ? AND m."user_id" = ? LIMIT 1')
_USER_COLUMNS = column_list(User._meta.sorted_fields, "u")
SALON_STAFF_SQL = (f'SELECT {_USER_COLUMNS} FROM "user" AS u JOIN "membership" AS m ON m."user_id" = u."id" '
                   'WHERE m."salon_id" = ? AND u."is_active" ORDER BY u."name", u."id"')
MEMBER_SALONS_SQL = (f'SELECT {_SALON_COLUMNS} FROM "salon" AS s JOIN "membership" AS m ON m."salon_id" = s."id" '
                     'WHERE m."user_id" = ? ORDER BY s."name", s."id" LIMIT ?')


def salons_for(user, search=None):
    """Return the salons this user may enter, by name (admins: every salon)."""
    query = Salon.select().order_by(Salon.name, Salon.id)
    if not user.is_admin:
        query = query.join(Membership).where(Membership.user == user)
    if search:
        query = query.where(Salon.name.contains(search.strip()))
    return query


def enter_salon(user, salon_id):
    """Return (salon, role) when the user may enter the salon ("admin", "owner", "employee"), else None.

    One query (none when the session's user was loaded with this salon): the HTML gate (tenancy.salon_view) and
    the API gate (api.framework) both decide here.
    """
    if not in_range(salon_id):
        return None
    entry = getattr(user, "salon_entry", None)
    if entry is not None and entry[0] == salon_id:  # read with the session's user (services/sessions.py)
        _, salon, role = entry
        if salon is None:
            return None
        if user.is_admin:
            return salon, ADMIN_ROLE
        return (salon, role) if role else None
    if user.is_admin:
        salon = Salon.get_or_none(Salon.id == salon_id)
        return (salon, ADMIN_ROLE) if salon else None
    found = list(Salon.raw(placeholders(MEMBER_SALON_SQL), salon_id, user.id))
    return (found[0], found[0].role) if found else None


def first_salons(user, limit):
    """Return the first `limit` salons this user may enter, by name (what salons_for(user).limit(limit) gives)."""
    if user.is_admin:
        return list(salons_for(user).limit(limit))
    return list(Salon.raw(placeholders(MEMBER_SALONS_SQL), user.id, limit))


def default_salon_id(user):
    """Return the first salon this user may enter, or None."""
    first = salons_for(user).first()
    return first.id if first else None


def salons_with_roles(user, limit=1000):
    """Return [(salon, role)] for every salon the user may enter, in one query."""
    if user.is_admin:
        return [(salon, ADMIN_ROLE) for salon in salons_for(user).limit(limit)]
    query = (
        Salon.select(Salon, Membership.role)
        .join(Membership)
        .where(Membership.user == user)
        .order_by(Salon.name, Salon.id)
        .limit(limit)
    )
    return [(salon, salon.membership.role) for salon in query]


def salon_staff(salon):
    """Return the salon's active staff (owners and employees) by name (the card's stylist choice and names)."""
    return one_trip.fetch_one(salon_staff_query(salon))


def salon_staff_query(salon):
    """The Query of `salon_staff`, to run in one trip with the card's other look-ups."""
    fields = User._meta.sorted_fields
    return one_trip.Query(SALON_STAFF_SQL, [getattr(salon, "id", salon)], one_trip.sql_types(fields),
                          lambda rows: [row_model(User, fields, row) for row in rows], fixed=True)
