"""GET /api/v1/me: who the token acts as, and where."""
from salon_web.api import bp
from salon_web.api.framework import operation
from salon_web.api.schemas import Me
from salon_web.services.salons import salons_with_roles


@operation(bp, "GET", "/me", summary="The token's user and the salons it may act in", response=Me, tag="account")
def me(user):
    """The user behind the token, with each salon it may enter and its role there."""
    salons = [
        {"id": s.id, "name": s.name, "country": s.country, "timezone": s.timezone, "currency": s.currency, "role": role}
        for s, role in salons_with_roles(user)
    ]
    return {"id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin, "salons": salons}
