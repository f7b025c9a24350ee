"""Communications: history, recording with consent rules, recipient pre-fill, forward-only status."""
import pytest

from salon_web.models import AuditEvent, CustomerCommunication, SalonCustomer, utcnow

HX_FORM = {"HX-Request": "true", "HX-Target": "communication-form"}


def url(world, customer=None):
    return f"/salons/{world.salon.id}/customers/{(customer or world.customer).id}/communications"


def status_url(world, communication):
    return f"{url(world)}/{communication.id}/status"


def consent(customer, channels=(), given=True, withdrawn=False):
    fields = {"communication_preferences": list(channels)}
    if given:
        fields["marketing_consent_at"] = utcnow()
    if withdrawn:
        fields["marketing_consent_withdrawn_at"] = utcnow()
    SalonCustomer.update(**fields).where(SalonCustomer.id == customer.id).execute()


def message(**fields):
    return {"type": "sms", "purpose": "appointment_reminder", "status": "sent", "message": "See you at 10", **fields}


def test_history_page_and_fragment(client, world, login_as):
    login_as("employee")
    CustomerCommunication.create(salon=world.salon, customer=world.customer, type="email", purpose="feedback",
                                 subject="How was it?", message="Tell us", recipient="aline@example.com")
    page = client.get(url(world)).get_data(as_text=True)
    assert "<html" in page and "How was it?" in page and "aline@example.com" in page
    fragment = client.get(url(world), headers={"HX-Request": "true", "HX-Target": "communication-history"})
    assert "<html" not in fragment.get_data(as_text=True) and "How was it?" in fragment.get_data(as_text=True)


def test_recipient_is_prefilled_by_channel(client, world, login_as):
    login_as("employee")
    assert 'value="+250788123456"' in client.get(url(world)).get_data(as_text=True)  # sms by default
    email_form = client.get(url(world), query_string={"type": "email"}, headers=HX_FORM).get_data(as_text=True)
    assert "<html" not in email_form and 'value="aline@example.com"' in email_form


@pytest.mark.parametrize("role", ["admin", "owner", "employee"])
def test_record_a_service_message(client, world, login_as, role):
    user = login_as(role)
    response = client.post(url(world), data=message())
    assert response.status_code == 303
    saved = CustomerCommunication.get()
    assert (saved.type, saved.purpose, saved.status, saved.recipient, saved.sent_by.id) == (
        "sms", "appointment_reminder", "sent", "+250788123456", user.id)
    assert AuditEvent.select().where(AuditEvent.action == "communication.recorded").count() == 1


def test_record_with_htmx_returns_a_fresh_form_and_refreshes_the_timeline(client, world, login_as):
    login_as("employee")
    response = client.post(url(world), data=message(), headers=HX_FORM)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page and "Recorded." in page
    assert "timeline-changed" in response.headers["HX-Trigger"]


def test_marketing_without_consent_is_refused(client, world, login_as):
    login_as("employee")
    for headers in (HX_FORM, {}):
        response = client.post(url(world), data=message(purpose="marketing"), headers=headers)
        assert response.status_code == 422
        assert "has not given marketing consent" in response.get_data(as_text=True)
    assert CustomerCommunication.select().count() == 0


def test_marketing_after_withdrawal_is_refused(client, world, login_as):
    consent(world.customer, withdrawn=True)
    login_as("owner")
    response = client.post(url(world), data=message(purpose="marketing"), headers=HX_FORM)
    assert response.status_code == 422 and "withdrew marketing consent" in response.get_data(as_text=True)


def test_marketing_with_consent_on_an_accepted_channel_is_recorded(client, world, login_as):
    consent(world.customer, channels=["sms"])
    login_as("owner")
    assert client.post(url(world), data=message(purpose="marketing")).status_code == 303


def test_message_on_a_refused_channel_is_refused(client, world, login_as):
    consent(world.customer, channels=["sms"])
    login_as("employee")
    for purpose in ("marketing", "appointment_reminder"):
        response = client.post(url(world), data=message(type="email", purpose=purpose, recipient="aline@example.com"),
                               headers=HX_FORM)
        assert response.status_code == 422 and "does not accept Email messages" in response.get_data(as_text=True)
    assert CustomerCommunication.select().count() == 0


def test_invalid_fields_are_422_beside_the_field(client, world, login_as):
    login_as("employee")
    response = client.post(url(world), data=message(type="email", recipient="nope", message="", purpose="gossip"),
                           headers=HX_FORM)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the email address it went to." in page and "Write the message that was sent." in page
    assert "Choose a purpose." in page


def _communication(world, status):
    return CustomerCommunication.create(salon=world.salon, customer=world.customer, type="sms", purpose="follow_up",
                                        status=status, message="Hi")


@pytest.mark.parametrize("old, new", [("pending", "sent"), ("sent", "delivered"), ("sent", "failed"),
                                      ("pending", "failed")])
def test_status_moves_forward(client, world, login_as, old, new):
    login_as("employee")
    communication = _communication(world, old)
    response = client.post(status_url(world, communication), data={"status": new},
                           headers={"HX-Request": "true", "HX-Target": f"communication-{communication.id}"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.lstrip().startswith(f'<tr id="communication-{communication.id}"')
    assert CustomerCommunication.get_by_id(communication.id).status == new


@pytest.mark.parametrize("old, new", [("sent", "pending"), ("delivered", "sent"), ("failed", "delivered"),
                                      ("delivered", "failed"), ("pending", "bogus")])
def test_status_never_moves_back(client, world, login_as, old, new):
    login_as("owner")
    communication = _communication(world, old)
    response = client.post(status_url(world, communication), data={"status": new})
    assert response.status_code == 422
    assert CustomerCommunication.get_by_id(communication.id).status == old


def test_status_as_plain_form_redirects(client, world, login_as):
    login_as("owner")
    communication = _communication(world, "pending")
    response = client.post(status_url(world, communication), data={"status": "sent"})
    assert response.status_code == 303 and response.headers["Location"].endswith(url(world))


def test_another_customers_message_cannot_be_moved_through_this_customer(client, world, login_as):
    from tests import factories

    other = factories.make_customer(world.salon, "Other Kigali")
    communication = CustomerCommunication.create(salon=world.salon, customer=other, type="sms", purpose="other",
                                                 status="pending", message="x")
    login_as("owner")
    assert client.post(status_url(world, communication), data={"status": "sent"}).status_code == 404
    assert CustomerCommunication.get_by_id(communication.id).status == "pending"
