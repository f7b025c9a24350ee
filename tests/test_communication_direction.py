"""The communication history's direction (an inbound call is never refused for consent) and its keyset paging."""
import datetime

from salon_web.models import CustomerCommunication, SalonCustomer, utcnow
from tests.test_communications import HX_FORM, message, url


def test_an_inbound_call_is_recorded_whatever_the_consent(client, world, login_as):
    login_as("employee")
    SalonCustomer.update(communication_preferences=["email"]).where(SalonCustomer.id == world.customer.id).execute()
    outbound = client.post(url(world), data=message(type="phone", purpose="marketing", message="Promo"), headers=HX_FORM)
    assert outbound.status_code == 422
    inbound = client.post(url(world), data=message(type="phone", purpose="marketing", direction="inbound",
                                                   message="She called about the promotion"), headers=HX_FORM)
    assert inbound.status_code == 200
    [recorded] = CustomerCommunication.select()
    assert (recorded.direction, recorded.type) == ("inbound", "phone")
    assert "In ↙ from the customer" in client.get(url(world)).get_data(as_text=True)
    bad = client.post(url(world), data=message(direction="sideways"), headers=HX_FORM)
    assert bad.status_code == 422 and "Choose who made contact." in bad.get_data(as_text=True)


def test_the_history_pages_by_keyset(client, world, login_as):
    login_as("owner")
    start = utcnow() - datetime.timedelta(days=40)
    CustomerCommunication.insert_many([
        {"salon": world.salon.id, "customer": world.customer.id, "type": "phone", "purpose": "other", "status": "sent",
         "message": f"Call {n:02d}", "created_at": start + datetime.timedelta(days=n // 2), "status_updated_at": start}
        for n in range(30)]).execute()  # two per day: the id breaks ties
    first = client.get(url(world)).get_data(as_text=True)
    assert first.count("Call ") == 25 and "Call 29" in first and "Call 04" not in first
    cursor = first.split("cursor=")[1].split('"')[0]
    older = client.get(url(world) + "?cursor=" + cursor,
                       headers={"HX-Request": "true", "HX-Target": "communication-history"}).get_data(as_text=True)
    assert "<html" not in older and older.count("Call ") == 5
    assert ["Call 04", "Call 03", "Call 02", "Call 01", "Call 00"] == [
        line.strip()[:7] for line in older.split('class="comm-text">')[1:]]
    assert client.get(url(world) + "?cursor=bogus!").status_code == 422


def test_today_offers_send_beside_record(client, world, login_as):
    login_as("employee")
    SalonCustomer.update(follow_up_on=datetime.date.today() - datetime.timedelta(days=1)).where(
        SalonCustomer.id == world.customer.id).execute()
    page = client.get(f"/salons/{world.salon.id}/today").get_data(as_text=True)
    panel = f"/salons/{world.salon.id}/customers/{world.customer.id}/messages"
    assert f'href="{panel}">Send' in page
    assert "Send a template" in client.get(panel).get_data(as_text=True)
