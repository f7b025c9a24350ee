"""Booking and selling from a customer's card (issue 15): the customer comes from the URL, success returns to the card."""
import re

from salon_web.models import Appointment, Sale, SalonCustomer

KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]+)"')


def _card(world, customer=None):
    return f"/salons/{world.salon.id}/customers/{(customer or world.customer).id}"


def test_card_and_list_offer_book_and_new_sale(client, world, login_as):
    login_as("employee")
    card = client.get(_card(world)).get_data(as_text=True)
    assert f'href="{_card(world)}/book"' in card and f'href="{_card(world)}/sell"' in card
    assert 'href="tel:+250788123456"' in card
    listing = client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    assert f'href="{_card(world)}/book"' in listing and f'href="{_card(world)}/sell"' in listing
    assert 'href="tel:+250788123456"' in listing


def test_book_from_the_card_returns_to_it_with_the_appointment_in_the_timeline(client, world, login_as):
    owner = login_as("owner")
    page = client.get(f"{_card(world)}/book").get_data(as_text=True)
    assert "Book <span class=\"muted\">for</span> Aline Uwase" in page and 'name="customer_id"' not in page
    response = client.post(f"{_card(world)}/book", data={
        "customer_id": str(world.other_customer.id),  # ignored: the URL names the customer
        "employee_id": str(owner.id), "service_name": "Silk press", "price": "12,000",
        "scheduled_at": "2031-05-04T10:30", "duration_minutes": "90"})
    assert response.status_code == 303 and response.headers["Location"] == _card(world)
    appointment = Appointment.get()
    assert (appointment.customer_id, appointment.employee.id, appointment.service_name, appointment.price,
            appointment.duration_minutes) == (world.customer.id, owner.id, "Silk press", 12000, 90)
    card = client.get(_card(world)).get_data(as_text=True)
    assert "Booked Silk press for Aline Uwase on 4 May, 10:30." in card
    assert "Silk press" in card.split('id="timeline"', 1)[1]


def test_book_refuses_bad_input_beside_the_fields(client, world, login_as):
    login_as("employee")
    response = client.post(f"{_card(world)}/book", data={"service_name": "", "price": "lots", "scheduled_at": "soon"},
                           headers={"HX-Request": "true", "HX-Target": "booking-form"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert 'id="price-error"' in html and 'id="scheduled-error"' in html
    assert Appointment.select().count() == 0


def test_sell_from_the_card_returns_to_it_with_the_sale_counted(client, world, login_as):
    employee = login_as("employee")
    page = client.get(f"{_card(world)}/sell").get_data(as_text=True)
    key = KEY.search(page).group(1)
    data = {"idempotency_key": key, "item_description": ["Braids", ""], "item_quantity": ["1", "1"],
            "item_price": ["20,000", ""], "customer_id": str(world.other_customer.id)}
    for _ in range(2):  # a double-submit posts one sale
        response = client.post(f"{_card(world)}/sell", data=data)
        assert response.status_code == 303 and response.headers["Location"] == _card(world)
    sale = Sale.get()
    assert (sale.customer_id, sale.total, sale.created_by_id) == (world.customer.id, 20000, employee.id)
    customer = SalonCustomer.get_by_id(world.customer.id)
    assert (customer.visit_count, customer.total_spent) == (1, 20000)
    card = client.get(_card(world)).get_data(as_text=True)
    assert "Sale of RWF 20,000 recorded for Aline Uwase." in card
    assert "Braids" in card.split('id="timeline"', 1)[1]


def test_sell_without_lines_is_a_422_with_the_form(client, world, login_as):
    login_as("employee")
    response = client.post(f"{_card(world)}/sell", data={"idempotency_key": "k1", "item_description": [""],
                                                         "item_quantity": ["1"], "item_price": [""]},
                           headers={"HX-Request": "true", "HX-Target": "sale-form"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html and "Add at least one line" in html
    assert Sale.select().count() == 0


def test_another_salons_card_has_no_actions(client, world, login_as):
    login_as("owner")
    foreign = f"/salons/{world.salon.id}/customers/{world.other_customer.id}"
    assert client.get(f"{foreign}/book").status_code == 404
    assert client.post(f"{foreign}/sell", data={"item_description": ["x"], "item_price": ["1"]}).status_code == 404
    assert Sale.select().count() == 0
