"""The customer list, its export, bulk tagging and saved segments."""
from salon_web.models import SavedSegment
from tests.access import Route


def prepare(world):
    segment = SavedSegment.create(salon=world.salon, name="Lapsed", query="days_since_last_visit=90")
    return {"segment": segment.id}



# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("customers.customer_list", "GET", "/salons/{salon}/customers", 302, 200, 200, 404, 200),
    Route("customers.customer_list", "GET", "/salons/{other_salon}/customers", 302, 200, 404, 200, 404),
    Route("customers.result_count", "GET", "/salons/{salon}/customers/count", 302, 200, 200, 404, 200),
    Route("customers.result_count", "GET", "/salons/{other_salon}/customers/count", 302, 200, 404, 200, 404),
    Route("customers.export_csv", "GET", "/salons/{salon}/customers/export", 302, 200, 200, 404, 403),
    Route("customers.export_csv", "GET", "/salons/{other_salon}/customers/export", 302, 200, 404, 200, 404),
    Route("customers.bulk_tag", "POST", "/salons/{salon}/customers/bulk-tags", 302, 303, 303, 404, 403,
          data={"tag": "Bulk", "action": "add", "scope": "all"}),
    Route("segments.segment_list", "GET", "/salons/{salon}/segments", 302, 200, 200, 404, 200),
    Route("segments.create", "POST", "/salons/{salon}/segments", 302, 303, 303, 404, 403,
          data={"name": "Big spenders", "query": "min_spent=100000"}),
    Route("segments.rename", "POST", "/salons/{salon}/segments/{segment}/rename", 302, 303, 303, 404, 403,
          data={"name": "Lapsed 90 days"}),
    Route("segments.rename", "POST", "/salons/{other_salon}/segments/{segment}/rename", 302, 404, 404, 404, 404,
          data={"name": "Stolen"}),
    Route("segments.delete", "POST", "/salons/{salon}/segments/{segment}/delete", 302, 303, 303, 404, 403),
]
