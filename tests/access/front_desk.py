"""Issue 15, the front desk: booking and selling from a customer's card (all staff; another salon's card is 404)."""
from tests.access import Route

C = "/salons/{salon}/customers/{customer}"
FOREIGN = "/salons/{salon}/customers/{other_customer}"  # another salon's customer under this salon's URL

# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("card_actions.book", "GET", C + "/book", 302, 200, 200, 404, 200),
    Route("card_actions.book", "GET", FOREIGN + "/book", 302, 404, 404, 404, 404),
    Route("card_actions.book", "POST", C + "/book", 302, 422, 422, 404, 422),  # an empty form
    Route("card_actions.book", "POST", FOREIGN + "/book", 302, 404, 404, 404, 404),
    Route("card_actions.sell", "GET", C + "/sell", 302, 200, 200, 404, 200),
    Route("card_actions.sell", "GET", FOREIGN + "/sell", 302, 404, 404, 404, 404),
    Route("card_actions.sell", "POST", C + "/sell", 302, 422, 422, 404, 422),  # no lines
    Route("card_actions.sell", "POST", FOREIGN + "/sell", 302, 404, 404, 404, 404),
]
ROUTES += [
    # Owners' settings: managers only; an empty POST is refused beside the fields.
    Route("salon_settings.front_desk", "GET", "/salons/{salon}/settings", 302, 200, 200, 404, 403),
    Route("salon_settings.front_desk", "POST", "/salons/{salon}/settings", 302, 422, 422, 404, 403),
]
