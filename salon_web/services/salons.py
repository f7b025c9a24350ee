"""Salons and who may enter them."""
from salon_web.ids import in_range
from salon_web.models import ADMIN_ROLE, Membership, Salon, User


def salons_for(user, search=None):
    """Return the salons this user may enter, by name (admins: every salon)."""
    query = Salon.select().order_by(Salon.name, Salon.id)
    if not user.is_admin:
        query = query.join(Membership).where(Membership.user == user)
    if search:
        query = query.where(Salon.name.contains(search.strip()))
    return query


def role_in(user, salon_id):
    """Return the user's role in a salon ("admin", "owner", "employee"), or None."""
    if not in_range(salon_id):
        return None
    if user.is_admin:
        return ADMIN_ROLE if Salon.select().where(Salon.id == salon_id).exists() else None
    membership = Membership.get_or_none(
        (Membership.salon == salon_id) & (Membership.user == user)
    )
    return membership.role if membership else None


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
    """Return the salon's active staff (owners and employees) by name."""
    return list(
        User.select().join(Membership)
        .where((Membership.salon == salon) & User.is_active)
        .order_by(User.name, User.id)
    )
