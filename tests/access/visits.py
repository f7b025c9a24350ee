"""Sales and appointments: everyone on staff posts and books; only owners and admins void."""
import datetime

from salon_web.models import utcnow
from salon_web.services.appointments import book_appointment
from salon_web.services.sales import post_sale
from tests.access import Route


def prepare(world):
    """A sale and an appointment in each salon."""
    sale = post_sale(world.salon, customer=world.customer, items=[("Cut", 1, 1000)])
    other_sale = post_sale(world.other_salon, customer=world.other_customer, items=[("Coupe", 1, 1000)])
    start = utcnow() + datetime.timedelta(days=1)
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Cut", price=1000, scheduled_at=start)
    other_appointment = book_appointment(world.other_salon, customer=world.other_customer, service_name="Coupe",
                                         price=1000, scheduled_at=start)
    return {"sale": sale.id, "other_sale": other_sale.id, "appointment": appointment.id,
            "other_appointment": other_appointment.id}


# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("sales.sale_list", "GET", "/salons/{salon}/sales", 302, 200, 200, 404, 200),
    Route("sales.customer_search", "GET", "/salons/{salon}/sales/customers?customer_q=al", 302, 200, 200, 404, 200),
    # An empty form: 422 for staff (nothing posted), 404 for another salon's owner.
    Route("sales.sale_create", "POST", "/salons/{salon}/sales", 302, 422, 422, 404, 422),
    # No reason given: 422 for managers; employees may not void at all.
    Route("sales.sale_void", "POST", "/salons/{salon}/sales/{sale}/void", 302, 422, 422, 404, 403),
    Route("sales.sale_void", "POST", "/salons/{salon}/sales/{other_sale}/void", 302, 404, 404, 404, 403),
    Route("appointments.appointment_list", "GET", "/salons/{salon}/appointments", 302, 200, 200, 404, 200),
    Route("appointments.appointment_create", "POST", "/salons/{salon}/appointments", 302, 422, 422, 404, 422),
    Route("appointments.appointment_status", "POST", "/salons/{salon}/appointments/{appointment}/status",
          302, 422, 422, 404, 422, data={"status": "bogus"}),
    Route("appointments.appointment_status", "POST", "/salons/{salon}/appointments/{other_appointment}/status",
          302, 404, 404, 404, 404, data={"status": "confirmed"}),
]
