"""The Messages pages, the card's panel, the public links and the signed webhooks, through HTTP."""
import datetime

import pytest

from salon_web.models import AuditEvent, CustomerCommunication, SalonCustomer, utcnow
from salon_web.models.messages import Campaign, CustomerFeedback, OutboundMessage
from salon_web.services.messages import links
from salon_web.services.messages.delivery import deliver_due
from salon_web.services.messages.transports import OutboxTransport, twilio_signature
from salon_web.services.segments import save_segment
from salon_web.web_forms.customer_list import segment_filter
from tests import factories
from tests.messages_helpers import consenting, without_quiet_hours

HX = {"HX-Request": "true"}


@pytest.fixture
def owner(login_as):
    return login_as("owner")


@pytest.fixture(autouse=True)
def _sending_at_any_hour(world):
    without_quiet_hours(world.salon)  # the views send at the real clock


def test_the_hub_lists_the_outbox_and_the_nav_shows_messages_to_managers_only(client, world, owner, login_as):
    page = client.get(f"/salons/{world.salon.id}/messages").get_data(as_text=True)
    assert "Outbox" in page and ">Messages<" in page
    login_as("employee")
    page = client.get(f"/salons/{world.salon.id}/today").get_data(as_text=True)
    assert f"/salons/{world.salon.id}/messages\"" not in page


def test_a_template_is_saved_previewed_for_a_real_client_with_its_sms_segments(client, world, owner):
    url = f"/salons/{world.salon.id}/messages/templates"
    refused = client.post(url, data={"purpose": "birthday", "language": "en", "subject": "", "body": "Hi {password}"})
    assert refused.status_code == 422 and "Unknown placeholder" in refused.get_data(as_text=True)
    preview = client.post(f"/salons/{world.salon.id}/messages/preview", headers=HX,
                          data={"purpose": "follow_up", "language": "en", "subject": "", "body": "Bonne fête {first_name} ê"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<html" not in text
    assert "Bonne fête Aline ê" in text and "18 UCS-2 units" in text and "1 segment." in text
    marketing = client.post(f"/salons/{world.salon.id}/messages/preview", headers=HX,
                            data={"purpose": "birthday", "language": "en", "body": "Hi {first_name}"})
    assert "/m/unsubscribe/" in marketing.get_data(as_text=True)  # a marketing message always carries the link
    assert client.post(url, data={"purpose": "birthday", "language": "en", "subject": "Yay",
                                  "body": "Happy day {first_name}"}).status_code == 303
    assert "Happy day {first_name}" in client.get(url + "?purpose=birthday&language=en").get_data(as_text=True)


def test_settings_are_saved_and_refused_with_messages(client, world, owner):
    url = f"/salons/{world.salon.id}/messages/settings"
    bad = client.post(url, data={"language": "en", "quiet_start": "25:00", "quiet_end": "08:00", "marketing_cap": "2",
                                 "cap_days": "7"})
    assert bad.status_code == 422 and "Enter a time such as 21:00." in bad.get_data(as_text=True)
    good = client.post(url, data={"language": "fr", "quiet_start": "20:30", "quiet_end": "09:00", "marketing_cap": "1",
                                  "cap_days": "14", "automations": ["birthday", "feedback"]})
    assert good.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert 'value="20:30"' in page and 'value="feedback" checked' in page


def test_a_campaign_to_a_segment_previews_its_reach_then_sends_with_progress_and_stop(app, client, world, owner):
    salon = world.salon
    for index in range(3):
        consenting(salon, f"Vip {index}", phone=f"0788 000 00{index}", tags=["VIP"])
    factories.make_customer(salon, "Vip No Consent", phone="0788 000 009", tags=["VIP"])
    segment = save_segment(salon, "VIPs", segment_filter("tags=VIP", salon)[0])
    form = {"name": "December", "segment": str(segment.id), "query": "", "channel": "auto", "language": "en",
            "when": "now", "subject": "News", "body": "News from {salon_name}"}
    reach = client.post(f"/salons/{salon.id}/messages/campaigns/preview", data=form,
                        headers={**HX, "HX-Target": "campaign-reach"}).get_data(as_text=True)
    # Aline (the world's VIP) has no consent either: 3 reached, 2 skipped for consent.
    assert "reach <strong>3</strong>" in reach and "2 skipped (2 no consent, 0 no channel, 0 capped)" in reach
    created = client.post(f"/salons/{salon.id}/messages/campaigns", data=form)
    assert created.status_code == 303
    campaign = Campaign.get(Campaign.salon == salon)
    assert campaign.queued_count == 3
    # Jobs run immediately in tests: the outbox transport "sent" them already.
    progress = client.get(f"/salons/{salon.id}/messages/campaigns/{campaign.id}", headers={**HX, "HX-Target": "campaign-progress"})
    assert "Sent 3" in progress.get_data(as_text=True) and "<html" not in progress.get_data(as_text=True)
    assert "News from Kigali Glow" in client.get(f"/salons/{salon.id}/messages").get_data(as_text=True)


def test_a_scheduled_campaign_waits_and_stop_means_never(app, client, world, owner):
    salon = world.salon
    consenting(salon, "Vip", phone="0788 000 011", tags=["VIP"])
    later = (datetime.datetime.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    form = {"name": "Later", "query": "tags=VIP", "channel": "sms", "language": "en", "when": "later",
            "send_at": later, "subject": "", "body": "Soon at {salon_name}"}
    assert client.post(f"/salons/{salon.id}/messages/campaigns", data=form).status_code == 303
    campaign = Campaign.get(Campaign.salon == salon)
    assert [m.status for m in OutboundMessage.select()] == ["queued"]
    assert client.post(f"/salons/{salon.id}/messages/campaigns/{campaign.id}/stop").status_code == 303
    deliver_due(app.config, at=utcnow() + datetime.timedelta(days=4), transports={"sms": OutboxTransport(), "email": OutboxTransport()})
    assert [m.status for m in OutboundMessage.select()] == ["stopped"]
    assert AuditEvent.select().where(AuditEvent.action == "campaign.stopped").count() == 1


def test_a_campaign_form_with_errors_comes_back_with_messages(client, world, owner):
    response = client.post(f"/salons/{world.salon.id}/messages/campaigns", data={
        "name": "", "query": "min_visits=lots", "channel": "pigeon", "language": "en", "when": "later", "send_at": "",
        "body": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Name the campaign." in text and "Enter a date and time, or send now." in text


def test_the_card_panel_shows_upcoming_messages_and_sends_a_template(client, world, login_as):
    login_as("employee")
    SalonCustomer.update(birthday=datetime.date.today() + datetime.timedelta(days=2)).where(
        SalonCustomer.id == world.customer.id).execute()
    from salon_web.services.messages.settings import switch_on
    switch_on(world.salon, "birthday")
    url = f"/salons/{world.salon.id}/customers/{world.customer.id}/messages"
    assert "None in the next 7 days." in client.get(url, headers=HX).get_data(as_text=True)  # no marketing consent
    consent_at = utcnow() - datetime.timedelta(days=1)
    SalonCustomer.update(marketing_consent_at=consent_at).where(SalonCustomer.id == world.customer.id).execute()
    assert "Birthday" in client.get(url, headers=HX).get_data(as_text=True)
    refused = client.post(url, data={"purpose": "follow_up", "channel": "email", "language": "en"}, headers=HX)
    assert refused.status_code == 200  # Aline has an e-mail and accepts every channel
    sent = OutboundMessage.get(OutboundMessage.customer == world.customer.id)
    assert (sent.status, sent.channel, sent.source) == ("sent", "email", "manual")
    assert "timeline-changed" in refused.headers["HX-Trigger"]
    history = CustomerCommunication.get(CustomerCommunication.customer == world.customer.id)
    assert history.sent_by_user_id == world.users["employee"].id
    card = client.get(f"/salons/{world.salon.id}/customers/{world.customer.id}").get_data(as_text=True)
    assert url in card


def test_the_card_refuses_what_consent_forbids_with_422(client, world, login_as):
    login_as("employee")
    response = client.post(f"/salons/{world.salon.id}/customers/{world.customer.id}/messages",
                           data={"purpose": "marketing", "channel": "sms"}, headers=HX)
    assert response.status_code == 422 and "marketing consent" in response.get_data(as_text=True)
    assert OutboundMessage.select().count() == 0


# -- public links ---------------------------------------------------------------------------------------------------
def test_unsubscribe_is_one_click_without_login_and_a_get_changes_nothing(app, client, world):
    customer = consenting(world.salon, "Linda", phone="0788 100 100")
    token = links.unsubscribe_token(app.config["SECRET_KEY"], world.salon.id, customer.id)
    page = client.get(f"/m/unsubscribe/{token}")
    assert page.status_code == 200 and SalonCustomer.get_by_id(customer.id).has_marketing_consent
    client.csrf_token = None  # a mail client's one-click POST carries no CSRF token
    done = client.post(f"/m/unsubscribe/{token}")
    assert done.status_code == 200 and "no more marketing messages" in done.get_data(as_text=True)
    assert not SalonCustomer.get_by_id(customer.id).has_marketing_consent
    assert client.post(f"/m/unsubscribe/{token[:-3]}abc").status_code == 404


def test_feedback_through_the_signed_link_lands_on_the_card_and_analytics(app, client, world, login_as):
    secret = app.config["SECRET_KEY"]
    token = links.feedback_token(secret, world.salon.id, world.customer.id, "visit:7")
    assert "How was your visit" in client.get(f"/m/feedback/{token}").get_data(as_text=True)
    client.csrf_token = None
    assert client.post(f"/m/feedback/{token}", data={"rating": "9"}).status_code == 422
    assert client.post(f"/m/feedback/{token}", data={"rating": "4", "comment": "<b>Nice</b>"}).status_code == 200
    assert "already" not in client.get(f"/m/feedback/{token}").get_data(as_text=True)
    assert CustomerFeedback.select().count() == 1
    expired = links.URLSafeTimedSerializer(secret, salt="salon_web.feedback").dumps(
        [world.salon.id, world.customer.id, "visit:8"])
    import time
    from unittest import mock
    with mock.patch("time.time", return_value=time.time() + 15 * 24 * 3600):
        assert client.get(f"/m/feedback/{expired}").status_code == 410
    login_as("owner")
    summary = client.get(f"/salons/{world.salon.id}/messages/feedback", headers=HX).get_data(as_text=True)
    assert "4.0" in summary and "1 rating" in summary
    panel = client.get(f"/salons/{world.salon.id}/customers/{world.customer.id}/messages", headers=HX).get_data(as_text=True)
    assert "★★★★☆" in panel and "&lt;b&gt;Nice&lt;/b&gt;" in panel
    assert "messages/feedback" in client.get(f"/salons/{world.salon.id}/customers/analytics").get_data(as_text=True)


# -- webhooks -------------------------------------------------------------------------------------------------------
def _signed_post(client, app, path, data, token="twilio-token"):
    url = app.config["PUBLIC_BASE_URL"].rstrip("/") + path
    return client.post(path, data=data, headers={"X-Twilio-Signature": twilio_signature(token, url, data)})


def test_stop_by_sms_needs_twilios_signature(app, client, world):
    app.config["TWILIO_AUTH_TOKEN"] = "twilio-token"
    customer = consenting(world.salon, "Stop Me", phone="0788 200 200")
    client.csrf_token = None
    data = {"From": "+250788200200", "Body": "Stop", "To": "+250780000000"}
    assert _signed_post(client, app, "/hooks/twilio/inbound", data, token="forged").status_code == 403
    assert client.post("/hooks/twilio/inbound", data=data).status_code == 403
    assert SalonCustomer.get_by_id(customer.id).has_marketing_consent
    answer = _signed_post(client, app, "/hooks/twilio/inbound", data)
    assert answer.status_code == 200 and "<Response>" in answer.get_data(as_text=True)
    card = SalonCustomer.get_by_id(customer.id)
    assert not card.has_marketing_consent and "sms" not in card.communication_preferences


def test_delivery_reports_need_the_signature_and_only_move_forward(app, client, world):
    app.config["TWILIO_AUTH_TOKEN"] = "twilio-token"
    customer = consenting(world.salon, "Report", phone="0788 300 300")
    OutboundMessage.create(salon=world.salon, customer=customer, source="manual", occasion="1", purpose="follow_up",
                           channel="sms", recipient="+250788300300", body="Hi", send_after=utcnow())
    deliver_due(app.config, transports={"sms": OutboxTransport(), "email": OutboxTransport()})
    message = OutboundMessage.get()
    client.csrf_token = None
    forged = {"MessageSid": message.provider_ref, "MessageStatus": "failed"}
    assert _signed_post(client, app, "/hooks/twilio/status", forged, token="nope").status_code == 403
    assert _signed_post(client, app, "/hooks/twilio/status",
                        {"MessageSid": message.provider_ref, "MessageStatus": "delivered"}).status_code == 204
    assert _signed_post(client, app, "/hooks/twilio/status", forged).status_code == 204
    assert CustomerCommunication.get_by_id(message.communication_id).status == "delivered"


def test_link_paths_agree_with_the_routes(app):
    from flask import url_for
    with app.test_request_context():
        assert url_for("message_links.unsubscribe", token="T") == links.UNSUBSCRIBE_PATH + "T"
        assert url_for("message_links.feedback", token="T") == links.FEEDBACK_PATH + "T"


def test_the_customer_list_leads_to_a_campaign_to_its_current_filter(client, world, owner):
    page = client.get(f"/salons/{world.salon.id}/customers?tags=VIP").get_data(as_text=True)
    link = f"/salons/{world.salon.id}/messages/campaigns?query=tags%3DVIP"
    assert link in page
    assert 'value="tags=VIP"' in client.get(link).get_data(as_text=True)


def test_the_preview_renders_for_the_client_chosen(client, world, owner):
    other = factories.make_customer(world.salon, "Zawadi Chosen", phone="0788 404 404")
    page = client.get(f"/salons/{world.salon.id}/messages/templates").get_data(as_text=True)
    assert f'<option value="{other.id}"' in page
    preview = client.post(f"/salons/{world.salon.id}/messages/preview", headers=HX, data={
        "purpose": "follow_up", "language": "fr", "body": "Bonjour {first_name}", "customer_id": str(other.id)})
    assert "Bonjour Zawadi" in preview.get_data(as_text=True)
    foreign = client.post(f"/salons/{world.salon.id}/messages/preview", headers=HX, data={
        "purpose": "follow_up", "language": "fr", "body": "Bonjour {first_name}",
        "customer_id": str(world.other_customer.id)})
    assert "Émilie" not in foreign.get_data(as_text=True)  # another salon's client is never rendered
