"""The everything export: owners and admins."""
from tests.access import Route

# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("salon_export.everything", "GET", "/salons/{salon}/export/everything", 302, 200, 200, 404, 403),
]
