"""The appointments page: a day's list in the salon's zone, filters, booking, and status changes."""
import datetime

from salon_web.models import Appointment, SalonCustomer
from salon_web.services.appointments import book_appointment
from salon_web.services.clock import to_utc


def book(world, service="Braids", local=datetime.datetime(2026, 3, 14, 10, 0), employee=None, price=15000):
    return book_appointment(world.salon, customer=world.customer, service_name=service, price=price,
                            scheduled_at=to_utc(local, world.salon.timezone), employee=employee)


def test_day_list_in_salon_time_with_fragment(client, world, login_as):
    book(world, "Morning braids", datetime.datetime(2026, 3, 14, 0, 30))  # 22:30 UTC the day before
    book(world, "Next day cut", datetime.datetime(2026, 3, 15, 9, 0))
    login_as("employee")
    page = client.get(f"/salons/{world.salon.id}/appointments?day=2026-03-14")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Morning braids" in html and "00:30" in html and "Next day cut" not in html
    fragment = client.get(f"/salons/{world.salon.id}/appointments?day=2026-03-14",
                          headers={"HX-Request": "true", "HX-Target": "appointment-results"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)


def test_filters_by_status_and_employee_and_survives_bad_values(client, world, login_as):
    book(world, "With Emma", employee=world.users["employee"])
    book(world, "With nobody")
    login_as("owner")
    base = f"/salons/{world.salon.id}/appointments?day=2026-03-14"
    html = client.get(f"{base}&employee={world.users['employee'].id}").get_data(as_text=True)
    assert "With Emma" in html and "With nobody" not in html
    assert "No appointments" in client.get(f"{base}&status=completed").get_data(as_text=True)
    bad = client.get(f"/salons/{world.salon.id}/appointments?day=soon&status=zzz&employee=abc")
    assert bad.status_code == 422 and "Use a date like" in bad.get_data(as_text=True)


def test_booking_in_salon_time(client, world, login_as):
    login_as("employee")
    response = client.post(f"/salons/{world.salon.id}/appointments", data={
        "customer_id": world.customer.id, "service_name": "Colour", "price": "25000",
        "scheduled_at": "2026-05-02T14:00", "duration_minutes": "90", "employee_id": world.users["employee"].id})
    assert response.status_code == 303 and "day=2026-05-02" in response.headers["Location"]
    appointment = Appointment.get()
    assert appointment.scheduled_at == datetime.datetime(2026, 5, 2, 12, 0)  # Kigali is UTC+2
    assert (appointment.price, appointment.duration_minutes, appointment.status) == (25000, 90, "scheduled")


def test_booking_errors_are_422_beside_fields(client, world, login_as):
    login_as("employee")
    response = client.post(f"/salons/{world.salon.id}/appointments", headers={"HX-Request": "true", "HX-Target": "booking-form"},
                           data={"customer_id": world.other_customer.id, "service_name": "", "price": "-5",
                                 "scheduled_at": "tomorrow", "employee_id": world.users["other_owner"].id})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert "Choose the customer" in html and "Enter the date and time" in html and "zero or more" in html
    response = client.post(f"/salons/{world.salon.id}/appointments", data={
        "customer_id": world.customer.id, "service_name": "Cut", "price": "10", "scheduled_at": "2026-05-02T14:00",
        "employee_id": world.users["other_owner"].id})
    assert response.status_code == 422 and "member of this salon" in response.get_data(as_text=True)
    assert Appointment.select().count() == 0


def test_completing_records_one_visit_and_forbidden_change_is_422(client, world, login_as):
    appointment = book(world, local=datetime.datetime(2026, 1, 5, 10, 0))
    login_as("employee")
    url = f"/salons/{world.salon.id}/appointments/{appointment.id}/status"
    headers = {"HX-Request": "true", "HX-Target": "appointment-results"}
    response = client.post(url, data={"status": "completed", "day": "2026-01-05"}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "completed" in html
    assert client.post(url, data={"status": "completed"}, headers=headers).status_code == 200  # twice: no change
    customer = SalonCustomer.get_by_id(world.customer.id)
    assert (customer.visit_count, customer.total_spent) == (1, 15000)
    response = client.post(url, data={"status": "cancelled"}, headers=headers)
    assert response.status_code == 422
    assert "A completed appointment cannot be marked cancelled." in response.get_data(as_text=True)
    plain = client.post(url, data={"status": "no_show"})
    assert plain.status_code == 422 and "cannot be marked no-show" in plain.get_data(as_text=True)
    assert SalonCustomer.get_by_id(world.customer.id).visit_count == 1


def test_status_change_without_htmx_redirects_to_the_day(client, world, login_as):
    appointment = book(world, local=datetime.datetime(2026, 1, 5, 10, 0))
    login_as("owner")
    response = client.post(f"/salons/{world.salon.id}/appointments/{appointment.id}/status", data={"status": "confirmed"})
    assert response.status_code == 303 and "day=2026-01-05" in response.headers["Location"]
    assert Appointment.get_by_id(appointment.id).status == "confirmed"


def test_buttons_offer_only_allowed_changes(client, world, login_as):
    appointment = book(world, local=datetime.datetime(2026, 1, 5, 10, 0))
    login_as("employee")
    html = client.get(f"/salons/{world.salon.id}/appointments?day=2026-01-05").get_data(as_text=True)
    assert ">Complete<" in html and ">Cancel<" in html
    client.post(f"/salons/{world.salon.id}/appointments/{appointment.id}/status", data={"status": "cancelled"})
    html = client.get(f"/salons/{world.salon.id}/appointments?day=2026-01-05").get_data(as_text=True)
    assert ">Complete<" not in html and "cancelled" in html
    assert SalonCustomer.get_by_id(world.customer.id).visit_count == 0
