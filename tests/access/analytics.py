"""The analytics page (managers only), the Today page and its follow-up actions (all staff)."""
import datetime

from salon_web.models import SalonCustomer
from tests.access import Route


def prepare(world):
    """Give the salon's customer a follow-up due today, so done/snooze have something to change."""
    SalonCustomer.update(follow_up_on=datetime.date.today()).where(SalonCustomer.id == world.customer.id).execute()
    return {}


# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("analytics.analytics", "GET", "/salons/{salon}/customers/analytics", 302, 200, 200, 404, 403),
    Route("today.today", "GET", "/salons/{salon}/today", 302, 200, 200, 404, 200),
    Route("today.follow_up_snooze", "POST", "/salons/{salon}/today/follow-ups/{customer}/snooze", 302, 303, 303, 404, 303),
    Route("today.follow_up_done", "POST", "/salons/{salon}/today/follow-ups/{customer}/done", 302, 303, 303, 404, 303),
    # Another salon's customer inside one's own salon URL: 404, never a change.
    Route("today.follow_up_done", "POST", "/salons/{salon}/today/follow-ups/{other_customer}/done", 302, 404, 404, 404, 404),
]
