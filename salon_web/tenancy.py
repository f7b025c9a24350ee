"""Salon tenancy for HTML views: who may enter which salon (objects are scoped by TenantModel.in_salon)."""
from functools import wraps

from flask import abort, g, request, session
from flask_login import current_user, login_required

from salon_web.models import ADMIN_ROLE, EMPLOYEE, OWNER
from salon_web.security import client_ip
from salon_web.services import audit
from salon_web.services.salons import enter_salon

STAFF = (ADMIN_ROLE, OWNER, EMPLOYEE)
MANAGERS = (ADMIN_ROLE, OWNER)


def salon_view(*roles):
    """Decorate a view taking `salon_id`: it receives `salon` instead.

    Not a member of that salon: 404 (existence is never revealed). A member
    whose role is not in `roles`: 403. Both are audited.
    """
    allowed = roles or STAFF

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(salon_id, **kwargs):
            entered = enter_salon(current_user, salon_id)
            if entered is None:
                deny(404, salon_id=None, reason="not a member", salon_ref=salon_id)
            g.salon, g.role = entered
            if g.role not in allowed:
                deny(403, salon_id=salon_id, reason=f"role {g.role}")
            if session.get("salon_id") != salon_id:  # an unchanged session is not signed and sent again
                session["salon_id"] = salon_id
            return view(salon=g.salon, **kwargs)

        return wrapper

    return decorator


def deny(status, *, salon_id=None, reason, **detail):
    """Audit a refused access and abort with `status`."""
    audit.record(
        "access.denied",
        salon=salon_id,
        user=current_user.id if current_user.is_authenticated else None,
        ip=client_ip(request),
        detail={"path": request.path, "method": request.method, "reason": reason, **detail},
    )
    abort(status)
