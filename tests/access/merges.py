"""Possible duplicates, merges and their undo: owners and admins; the API only with a token."""
from salon_web.services.merges import merge_cards
from tests import factories
from tests.access import Route


def prepare(world):
    """A second card in the salon, and a merge in each salon (so undo has something of each to find)."""
    twin = factories.make_customer(world.salon, "Aline Uwasse")
    merged = factories.make_customer(world.salon, "Kevin Mugisha")
    survivor = factories.make_customer(world.salon, "Kevin Mugisa")
    mine = merge_cards(world.salon, merged.id, survivor.id).merge
    theirs_merged = factories.make_customer(world.other_salon, "Léa Dubois")
    theirs_survivor = factories.make_customer(world.other_salon, "Lea Dubois")
    theirs = merge_cards(world.other_salon, theirs_merged.id, theirs_survivor.id).merge
    return {"twin": twin.id, "merge": mine.id, "other_merge": theirs.id}


D = "/salons/{salon}/customers/duplicates"
# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("merges.duplicates_page", "GET", D, 302, 200, 200, 404, 403),
    Route("merges.compare", "GET", D + "/compare?first={customer}&second={twin}", 302, 200, 200, 404, 403),
    Route("merges.compare", "GET", D + "/compare?first={customer}&second={other_customer}", 302, 404, 404, 404, 403),
    Route("merges.merge", "POST", "/salons/{salon}/customers/merge", 302, 404, 404, 404, 403),  # no pair: nothing merged
    Route("merges.undo", "POST", "/salons/{salon}/merges/{other_merge}/undo", 302, 404, 404, 404, 403),
    Route("merges.undo", "POST", "/salons/{salon}/merges/{merge}/undo", 302, 303, 303, 404, 403),
    Route("api.merge_customer", "POST", "/api/v1/salons/{salon}/customers/{customer}/merge", 401, 401, 401, 401, 401),
    Route("api.undo_merge", "POST", "/api/v1/salons/{salon}/merges/{merge}/undo", 401, 401, 401, 401, 401),
]
