"""Issue 15, the front desk: booking and selling from a customer's card (all staff; another salon's card is 404)."""
from salon_web.services.service_menu import save_service
from tests.access import Route


def prepare(world):
    """A service on each salon's menu."""
    return {"service": save_service(world.salon, name="Cut").id,
            "other_service": save_service(world.other_salon, name="Coupe").id}

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
ROUTES += [
    # The service menu: managers only; another salon's service is 404.
    Route("service_menu.service_list", "GET", "/salons/{salon}/services", 302, 200, 200, 404, 403),
    Route("service_menu.service_list", "POST", "/salons/{salon}/services", 302, 422, 422, 404, 403),
    Route("service_menu.service_edit", "GET", "/salons/{salon}/services/{service}", 302, 200, 200, 404, 403),
    Route("service_menu.service_edit", "POST", "/salons/{salon}/services/{service}", 302, 422, 422, 404, 403),
    Route("service_menu.service_edit", "GET", "/salons/{salon}/services/{other_service}", 302, 404, 404, 404, 403),
    Route("service_menu.service_edit", "POST", "/salons/{salon}/services/{other_service}", 302, 404, 404, 404, 403),
]
