"""The customer card, its widgets, tags, timeline and communications."""
from salon_web.models import CustomerCommunication
from tests.access import Route

C = "/salons/{salon}/customers/{customer}"
FOREIGN = "/salons/{salon}/customers/{other_customer}"  # another salon's customer under this salon's URL


def prepare(world):
    """A communication of the salon's customer, and one of the other salon's customer."""
    mine = CustomerCommunication.create(salon=world.salon, customer=world.customer, type="sms",
                                        purpose="follow_up", status="pending", message="Hello")
    theirs = CustomerCommunication.create(salon=world.other_salon, customer=world.other_customer, type="sms",
                                          purpose="follow_up", status="pending", message="Bonjour")
    return {"communication": mine.id, "other_communication": theirs.id}


# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("customer_detail.new", "GET", "/salons/{salon}/customers/new", 302, 200, 200, 404, 200),
    Route("customer_detail.new", "POST", "/salons/{salon}/customers/new", 302, 422, 422, 404, 422),
    Route("customer_detail.show", "GET", C, 302, 200, 200, 404, 200),
    Route("customer_detail.show", "GET", FOREIGN, 302, 404, 404, 404, 404),
    Route("customer_detail.show", "GET", "/salons/{other_salon}/customers/{other_customer}", 302, 200, 404, 200, 404),
    Route("customer_detail.update", "POST", C + "/notes", 302, 422, 422, 404, 422),
    Route("customer_detail.update", "PATCH", C + "/notes", 302, 422, 422, 404, 422),
    Route("customer_detail.update", "POST", C + "/contact", 302, 422, 422, 404, 422),
    Route("customer_detail.update", "POST", C + "/preferences", 302, 422, 422, 404, 422),
    Route("customer_detail.update", "POST", C + "/follow-up", 302, 422, 422, 404, 422),
    Route("customer_detail.update", "POST", C + "/communication", 302, 422, 422, 404, 422),
    Route("customer_detail.update", "POST", FOREIGN + "/notes", 302, 404, 404, 404, 404),
    Route("customer_detail.add_tag", "POST", C + "/tags", 302, 422, 422, 404, 422),
    Route("customer_detail.add_tag", "POST", FOREIGN + "/tags", 302, 404, 404, 404, 404),
    Route("customer_detail.remove_tag", "DELETE", C + "/tags", 302, 303, 303, 404, 303, data={"tag": "Nope"}),
    Route("customer_detail.remove_tag", "DELETE", FOREIGN + "/tags", 302, 404, 404, 404, 404),
    Route("customer_detail.remove_tag_form", "POST", C + "/tags/remove", 302, 303, 303, 404, 303, data={"tag": "Nope"}),
    Route("customer_detail.remove_tag_form", "POST", FOREIGN + "/tags/remove", 302, 404, 404, 404, 404),
    Route("customer_detail.timeline", "GET", C + "/timeline", 302, 200, 200, 404, 200),
    Route("customer_detail.timeline", "GET", FOREIGN + "/timeline", 302, 404, 404, 404, 404),
    Route("communications.history", "GET", C + "/communications", 302, 200, 200, 404, 200),
    Route("communications.history", "GET", FOREIGN + "/communications", 302, 404, 404, 404, 404),
    Route("communications.record", "POST", C + "/communications", 302, 422, 422, 404, 422),
    Route("communications.record", "POST", FOREIGN + "/communications", 302, 404, 404, 404, 404),
    Route("communications.status", "POST", C + "/communications/{communication}/status", 302, 422, 422, 404, 422),
    Route("communications.status", "POST", C + "/communications/{other_communication}/status", 302, 404, 404, 404, 404),
    Route("communications.status", "POST", FOREIGN + "/communications/{other_communication}/status",
          302, 404, 404, 404, 404),
]
