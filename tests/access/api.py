"""The JSON API never accepts the browser session: without a token every role gets 401."""
from tests.access import Route

# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("api.openapi_document", "GET", "/api/v1/openapi.json", 200, 200, 200, 200, 200),
    Route("api.reference", "GET", "/api/v1/docs", 200, 200, 200, 200, 200),
    Route("api.me", "GET", "/api/v1/me", 401, 401, 401, 401, 401),
]
