"""A client's rights on the card: owners and admins only."""
from tests.access import Route

C = "/salons/{salon}/customers/{customer}"
FOREIGN = "/salons/{salon}/customers/{other_customer}"

# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("client_rights.download", "GET", C + "/data.json", 302, 200, 200, 404, 403),
    Route("client_rights.download", "GET", FOREIGN + "/data.json", 302, 404, 404, 404, 403),
    Route("client_rights.forget", "GET", C + "/forget", 302, 200, 200, 404, 403),
    Route("client_rights.forget", "POST", C + "/forget", 302, 422, 422, 404, 403),  # no confirmation: nothing erased
    Route("client_rights.forget", "POST", FOREIGN + "/forget", 302, 404, 404, 404, 403),
]
