"""The JSON API never accepts the browser session: without a token every role gets 401."""
from tests.access import Route

# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("api.openapi_document", "GET", "/api/v1/openapi.json", 200, 200, 200, 200, 200),
    Route("api.reference", "GET", "/api/v1/docs", 200, 200, 200, 200, 200),
    Route("api.me", "GET", "/api/v1/me", 401, 401, 401, 401, 401),
]

_C = "/api/v1/salons/{salon}/customers"
for _endpoint, _method, _path in [
    ("api.list_customers", "GET", _C),
    ("api.create_customer_api", "POST", _C),
    ("api.export_customers", "GET", _C + "/export"),
    ("api.customer_analytics", "GET", _C + "/analytics"),
    ("api.get_customer", "GET", _C + "/{customer}"),
    ("api.update_customer", "PATCH", _C + "/{customer}"),
    ("api.add_tags", "POST", _C + "/{customer}/tags"),
    ("api.remove_tags", "DELETE", _C + "/{customer}/tags"),
    ("api.customer_timeline", "GET", _C + "/{customer}/timeline"),
    ("api.list_communications", "GET", _C + "/{customer}/communications"),
    ("api.record_communication", "POST", _C + "/{customer}/communications"),
    ("api.communication_status", "POST", _C + "/{customer}/communications/1/status"),
    ("api.create_sale", "POST", "/api/v1/salons/{salon}/sales"),
    ("api.appointment_status", "POST", "/api/v1/salons/{salon}/appointments/1/status"),
]:
    ROUTES.append(Route(_endpoint, _method, _path, 401, 401, 401, 401, 401))

# Client-book imports (api/imports.py): tokens only, like every operation.
ROUTES.append(Route("api.import_customers", "POST", "/api/v1/salons/{salon}/imports", 401, 401, 401, 401, 401))
ROUTES.append(Route("api.get_import", "GET", "/api/v1/salons/{salon}/imports/1", 401, 401, 401, 401, 401))
