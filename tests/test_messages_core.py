"""Messages that are really sent: wording, rules, automations, transports, consent from the client."""
import datetime
import email

import pytest

from salon_web.models import AuditEvent, CustomerCommunication, SalonCustomer
from salon_web.models.messages import CustomerFeedback, OutboundMessage
from salon_web.services.appointments import book_appointment
from salon_web.services.field_errors import FieldErrors
from salon_web.services.messages import automations, campaigns, consent, delivery, links, render, rules
from salon_web.services.messages.settings import SettingsChange, save_settings, send_template, switch_on
from salon_web.services.messages.templates import save_template, template_for
from salon_web.services.messages.transports import OutboxTransport, SmtpTransport, TwilioSms, twilio_signature
from salon_web.web_forms.customer_list import segment_filter
from tests import factories
from tests.messages_helpers import FakeTwilio, consenting, start_smtp


def at(text):
    """Naive UTC from ISO text."""
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def salon(app):
    return factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")


def outbox_only():
    return {"sms": OutboxTransport(), "email": OutboxTransport()}


def rows(salon):
    return list(OutboundMessage.in_salon(salon).order_by(OutboundMessage.id))


# -- wording ---------------------------------------------------------------------------------------------------
def test_the_renderer_fills_known_placeholders_only_and_never_evaluates():
    text = "Hi {first_name} {{ 7*7 }} {__class__} {salon_name.__dict__} {unknown} {{first_name}}"
    assert render.render(text, {"first_name": "Aline", "salon_name": "Glow"}) == \
        "Hi Aline {{ 7*7 }} {__class__} {salon_name.__dict__} {unknown} {Aline}"
    assert render.unknown_placeholders("{first_name} {__class__} {nope}") == ["__class__", "nope"]


def test_saving_a_template_refuses_an_unknown_placeholder(salon):
    with pytest.raises(FieldErrors) as refused:
        save_template(salon, "birthday", "fr", "", "Bonjour {first_name} {password}")
    assert "{password}" in refused.value.errors["body"]
    save_template(salon, "birthday", "fr", "Joyeux", "Bonne fête {first_name}")
    assert template_for(salon, "birthday", "fr").body == "Bonne fête {first_name}"
    assert template_for(salon, "birthday", "rw").body.startswith("Isabukuru")


@pytest.mark.parametrize("text, expected", [
    ("a" * 160, ("GSM-7", 160, 1)),
    ("a" * 161, ("GSM-7", 161, 2)),
    ("€" * 80, ("GSM-7", 160, 1)),  # the extension table costs two septets
    ("é" * 153 * 2, ("GSM-7", 306, 2)),
    ("ê" * 70, ("UCS-2", 70, 1)),  # ê is not in GSM-7
    ("ê" * 71, ("UCS-2", 71, 2)),
    ("Murakoze 🙂", ("UCS-2", 11, 1)),  # an emoji is two UTF-16 units
])
def test_sms_length_and_segments(text, expected):
    assert render.sms_length(text) == expected


# -- quiet hours -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("zone, now, until", [
    ("Africa/Kigali", "2026-12-01T19:30", "2026-12-02T06:00"),  # 21:30 in Kigali -> 08:00 there
    ("Africa/Kigali", "2026-12-01T05:59", "2026-12-01T06:00"),  # 07:59 in Kigali
    ("Africa/Kigali", "2026-12-01T06:00", None),
    ("Europe/Paris", "2026-07-01T19:00", "2026-07-02T06:00"),  # 21:00 CEST
    ("Europe/Paris", "2026-12-01T19:59", None),  # 20:59 CET
    ("America/New_York", "2026-12-02T02:00", "2026-12-02T13:00"),  # 21:00 EST -> 08:00 EST
])
def test_quiet_hours_in_the_salon_time_zone(app, zone, now, until):
    settings = rules.MessageSettings()
    assert rules.quiet_until(at(now), zone, settings) == (at(until) if until else None)


# -- the queue ---------------------------------------------------------------------------------------------------
def _queue(salon, customer, *, source="auto:follow_up", occasion="2026-12-01", purpose="follow_up", channel="sms",
           send_after=None):
    return delivery.queue_messages([{
        "salon": salon.id, "customer": customer.id, "source": source, "occasion": occasion, "purpose": purpose,
        "channel": channel, "recipient": rules.recipient_for(customer, channel), "subject": "S", "body": "B",
        "send_after": send_after or at("2026-12-01T08:00")}])


def test_an_occasion_is_queued_once_and_sent_once_into_the_history(app, salon):
    customer = consenting(salon, phone="0788 111 111")
    assert _queue(salon, customer) == 1
    assert _queue(salon, customer) == 0
    counts = delivery.deliver_due(app.config, at=at("2026-12-01T10:00"), transports=outbox_only())
    assert counts["sent"] == 1
    assert delivery.deliver_due(app.config, at=at("2026-12-01T10:00"), transports=outbox_only())["sent"] == 0
    [message] = rows(salon)
    assert message.status == "sent" and message.provider_ref == f"outbox-{message.id}"
    history = CustomerCommunication.get_by_id(message.communication_id)
    assert (history.status, history.type, history.purpose, history.direction) == ("sent", "sms", "follow_up", "outbound")
    assert history.metadata["outbound_message_id"] == message.id


def test_marketing_needs_consent_also_when_withdrawn_after_queueing(app, salon):
    never = factories.make_customer(salon, "Never Asked", phone="0788 222 222")
    later = consenting(salon, "Later Withdrawn", phone="0788 333 333")
    _queue(salon, never, source="campaign:1", occasion="1", purpose="marketing")
    _queue(salon, later, source="campaign:1", occasion="1", purpose="marketing")
    consent.unsubscribe(salon.id, later.id)
    counts = delivery.deliver_due(app.config, at=at("2026-12-01T10:00"), transports=outbox_only())
    assert counts["skipped"] == 2 and counts["sent"] == 0
    assert {m.error for m in rows(salon)} == {"no consent"}


def test_service_messages_need_the_channel_accepted(app, salon):
    email_only = consenting(salon, phone="0788 444 444", email="a@example.com", channels=["email"])
    _queue(salon, email_only, channel="sms")
    counts = delivery.deliver_due(app.config, at=at("2026-12-01T10:00"), transports=outbox_only())
    assert counts["skipped"] == 1 and rows(salon)[0].error == "no channel"
    assert rules.choose_channel(email_only, "follow_up") == ("email", None)


def test_quiet_hours_defer_and_never_drop(app, salon):
    customer = consenting(salon, phone="0788 555 555")
    _queue(salon, customer, send_after=at("2026-12-01T19:00"))
    night = at("2026-12-01T20:00")  # 22:00 in Kigali
    assert delivery.deliver_due(app.config, at=night, transports=outbox_only())["deferred"] == 1
    [message] = rows(salon)
    assert (message.status, message.send_after) == ("deferred", at("2026-12-02T06:00"))
    assert delivery.deliver_due(app.config, at=at("2026-12-02T05:59"), transports=outbox_only())["sent"] == 0
    assert delivery.deliver_due(app.config, at=at("2026-12-02T06:00"), transports=outbox_only())["sent"] == 1


def test_the_marketing_cap_is_two_in_seven_days_by_default(app, salon):
    customer = consenting(salon, phone="0788 666 666")
    for campaign_id, day in ((1, "2026-12-01"), (2, "2026-12-02"), (3, "2026-12-03"), (4, "2026-12-09")):
        _queue(salon, customer, source=f"campaign:{campaign_id}", occasion="1", purpose="marketing",
               send_after=at(day + "T08:00"))
        delivery.deliver_due(app.config, at=at(day + "T10:00"), transports=outbox_only())
    assert [(m.source, m.status, m.error) for m in rows(salon)] == [
        ("campaign:1", "sent", ""), ("campaign:2", "sent", ""), ("campaign:3", "skipped", "capped"),
        ("campaign:4", "sent", "")]  # 9 Dec: the first is more than 7 days old


# -- automations -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("zone, before, after", [
    ("Africa/Kigali", "2026-12-01T06:59", "2026-12-01T07:00"),  # 09:00 CAT = 07:00 UTC
    ("Europe/Paris", "2026-12-01T07:59", "2026-12-01T08:00"),  # 09:00 CET
    ("America/New_York", "2026-12-01T13:59", "2026-12-01T14:00"),  # 09:00 EST
])
def test_a_birthday_message_goes_at_nine_salon_time_once(app, zone, before, after):
    salon = factories.make_salon("Glow", "RW", zone, "RWF")
    customer = consenting(salon, phone="0788 777 777", birthday=datetime.date(1990, 12, 1))
    switch_on(salon, "birthday")
    assert automations.run_automations(app.config, at=at(before))["queued"][salon.id] == {"birthday": 0}
    summary = automations.run_automations(app.config, at=at(after))
    assert summary["queued"][salon.id] == {"birthday": 1} and summary["delivered"]["sent"] == 1
    again = automations.run_automations(app.config, at=at(after))
    assert again["queued"][salon.id] == {"birthday": 0} and again["delivered"]["sent"] == 0
    [message] = rows(salon)
    assert message.occasion == "2026-12-01" and "Aline" in message.body and "unsubscribe" in message.body
    assert message.customer_id == customer.id


def test_a_29_february_birthday_is_celebrated_on_28_february_in_other_years(app, salon):
    consenting(salon, phone="0788 888 888", birthday=datetime.date(2000, 2, 29))
    switch_on(salon, "birthday")
    queued = lambda moment: automations.run_automations(app.config, at=at(moment), deliver=False)["queued"][salon.id]
    assert queued("2027-02-28T08:00") == {"birthday": 1}
    assert queued("2028-02-28T08:00") == {"birthday": 0}  # a leap year: the 29th comes
    assert queued("2028-02-29T08:00") == {"birthday": 1}


def test_reminder_24_hours_before_and_confirmation_on_booking(app, salon):
    customer = consenting(salon, phone="0788 999 999")
    switch_on(salon, "appointment_reminder", "appointment_confirmation")
    booked_at = at("2026-12-01T10:00")
    appointment = book_appointment(salon, customer=customer, service_name="Braids", price=10_000,
                                   scheduled_at=at("2026-12-05T12:30"))
    from salon_web.models import Appointment

    Appointment.update(created_at=booked_at).where(Appointment.id == appointment.id).execute()
    assert automations.run_automations(app.config, at=booked_at)["queued"][salon.id] == {
        "appointment_reminder": 0, "appointment_confirmation": 1}
    assert automations.run_automations(app.config, at=at("2026-12-04T12:29"))["queued"][salon.id][
        "appointment_reminder"] == 0
    assert automations.run_automations(app.config, at=at("2026-12-04T12:30"))["queued"][salon.id][
        "appointment_reminder"] == 1
    reminder = [m for m in rows(salon) if m.source == "auto:appointment_reminder"][0]
    assert "14:30" in reminder.body and "05/12/2026" in reminder.body  # Kigali time


# -- transports ----------------------------------------------------------------------------------------------------
def test_email_over_a_real_smtp_server_carries_the_unsubscribe_headers(app, salon):
    controller, inbox = start_smtp()
    try:
        customer = consenting(salon, email="aline@example.com")
        campaign = campaigns.create_campaign(
            salon, rules.settings_for(salon), app.config, name="December", customer_filter=segment_filter("", salon)[0],
            channel="email", language="en", subject="Hello {first_name}", body="Offers at {salon_name}.",
            now=at("2026-12-01T10:00"))
        smtp = SmtpTransport(f"smtp://127.0.0.1:{controller.port}", "salon@glow.example")
        counts = delivery.deliver_due(app.config, at=at("2026-12-01T10:00"), transports={"email": smtp, "sms": OutboxTransport()})
    finally:
        controller.stop()
    assert counts["sent"] == 1 and campaign.queued_count == 1
    [(recipients, text)] = inbox.messages
    assert recipients == ["aline@example.com"]
    assert "Subject: Hello Aline" in text and "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text
    header = "".join(email.message_from_string(text)["List-Unsubscribe"].split())
    token = header.split(links.UNSUBSCRIBE_PATH)[1].rstrip(">")
    assert links.read_unsubscribe(app.config["SECRET_KEY"], token) == (salon.id, customer.id)


def test_sms_through_the_twilio_api_of_a_local_server(app, salon):
    twilio = FakeTwilio()
    try:
        customer = consenting(salon, phone="0788 123 999")
        _queue(salon, customer)
        sms = TwilioSms("AC123", "secret-token", "+250780000000", base_url=twilio.url, status_callback="http://x/cb")
        counts = delivery.deliver_due(app.config, at=at("2026-12-01T10:00"), transports={"sms": sms, "email": OutboxTransport()})
    finally:
        twilio.stop()
    assert counts["sent"] == 1
    [request] = twilio.requests
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert (request["To"], request["From"], request["Body"]) == ("+250788123999", "+250780000000", "B")
    assert request["auth"].startswith("Basic ")
    assert rows(salon)[0].provider_ref == "SM" + "1".zfill(32)


def test_a_refused_sms_fails_without_retry_and_is_recorded(app, salon):
    twilio = FakeTwilio(fail_with=400)
    try:
        _queue(salon, consenting(salon, phone="0788 123 998"))
        sms = TwilioSms("AC123", "t", "+250780000000", base_url=twilio.url)
        counts = delivery.deliver_due(app.config, at=at("2026-12-01T10:00"), transports={"sms": sms, "email": OutboxTransport()})
    finally:
        twilio.stop()
    assert counts["failed"] == 1
    [message] = rows(salon)
    assert message.status == "failed" and "400" in message.error
    assert CustomerCommunication.get_by_id(message.communication_id).status == "failed"


def test_delivery_reports_move_the_status_forward_only(app, salon):
    _queue(salon, consenting(salon, phone="0788 123 997"))
    delivery.deliver_due(app.config, at=at("2026-12-01T10:00"), transports=outbox_only())
    [message] = rows(salon)
    delivery.record_delivery_report(message.provider_ref, "delivered")
    delivery.record_delivery_report(message.provider_ref, "failed")  # late: refused, stays delivered
    assert CustomerCommunication.get_by_id(message.communication_id).status == "delivered"


def test_twilio_signature_matches_the_documented_example():
    # Twilio's documentation example (security page): this URL, these parameters and auth token 12345.
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030",
              "To": "+18005551212"}
    assert twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params) == \
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


# -- consent from the client ---------------------------------------------------------------------------------------
def test_stop_withdraws_marketing_and_sms_and_is_recorded(app, salon):
    customer = consenting(salon, phone="0788 321 321")
    assert consent.stop_from_phone("+250788321321", "hello") == 0
    assert consent.stop_from_phone("+250788321321", " stop ") == 1
    card = SalonCustomer.get_by_id(customer.id)
    assert not card.has_marketing_consent and "sms" not in card.communication_preferences
    assert card.version == customer.version + 1
    inbound = CustomerCommunication.get(CustomerCommunication.customer == customer.id)
    assert inbound.direction == "inbound" and "SMS STOP" in inbound.message
    assert AuditEvent.get(AuditEvent.action == "consent.withdrawn").detail["via"] == "SMS STOP"


def test_links_are_signed_and_feedback_links_expire(app):
    secret = app.config["SECRET_KEY"]
    token = links.unsubscribe_token(secret, 1, 2)
    assert links.read_unsubscribe(secret, token) == (1, 2)
    with pytest.raises(links.BadLink):
        links.read_unsubscribe("another-secret", token)
    with pytest.raises(links.BadLink):
        links.read_unsubscribe(secret, token[:-2] + "xx")
    with pytest.raises(links.BadLink):  # an unsubscribe token is not a feedback token
        links.read_feedback(secret, token)
    feedback = links.feedback_token(secret, 1, 2, "visit:3")
    assert links.read_feedback(secret, feedback) == (1, 2, "visit:3")
    with pytest.raises(links.BadLink) as expired:
        links.read_feedback(secret, feedback, max_age=-1)
    assert expired.value.expired


def test_feedback_is_recorded_once_per_visit_and_summarised(app, salon):
    customer = consenting(salon, phone="0788 654 654")
    with pytest.raises(FieldErrors):
        consent.record_feedback(salon.id, customer.id, "visit:1", 6, "")
    assert consent.record_feedback(salon.id, customer.id, "visit:1", 5, "Lovely")[1]
    assert not consent.record_feedback(salon.id, customer.id, "visit:1", 1, "again")[1]
    consent.record_feedback(salon.id, customer.id, "visit:2", 4, "")
    assert consent.feedback_summary(salon) == (4.5, 2)
    assert CustomerFeedback.select().count() == 2


def test_staff_send_a_template_by_hand_within_the_rules(app, salon):
    customer = factories.make_customer(salon, "No Consent", phone="0788 765 765")
    with pytest.raises(FieldErrors) as refused:
        send_template(salon, customer, "marketing", "sms", app.config)
    assert "consent" in refused.value.errors["channel"]
    send_template(salon, customer, "follow_up", "auto", app.config)
    assert [(m.channel, m.source, m.purpose) for m in rows(salon)] == [("sms", "manual", "follow_up")]
    assert AuditEvent.get(AuditEvent.action == "message.queued").detail["channel"] == "sms"


def test_settings_are_checked(app, salon):
    with pytest.raises(FieldErrors) as refused:
        save_settings(salon, SettingsChange("de", 25 * 60, 8 * 60, -1, 0, ("telepathy",)))
    assert set(refused.value.errors) == {"language", "quiet_start", "marketing_cap", "cap_days", "automations"}
    saved = save_settings(salon, SettingsChange("fr", 20 * 60, 9 * 60, 3, 7, ("birthday",)))
    assert (saved.language, saved.quiet_start, saved.automations) == ("fr", 1200, ["birthday"])


def test_an_interrupted_message_is_resumed_on_smtp_and_failed_on_sms(app, salon):
    customer = consenting(salon, phone="0788 432 432", email="r@example.com")
    _queue(salon, customer, channel="email")
    _queue(salon, customer, channel="sms", source="auto:other")
    OutboundMessage.update(status="sending", claimed_at=at("2026-12-01T08:00")).execute()
    smtp = SmtpTransport("smtp://127.0.0.1:9", "s@x.example")
    sms = TwilioSms("AC1", "t", "+250780000000", base_url="http://127.0.0.1:9")
    assert delivery.recover_interrupted(at("2026-12-01T08:05"), 600, {"email": smtp, "sms": sms}) == 0  # too recent
    assert delivery.recover_interrupted(at("2026-12-01T08:11"), 600, {"email": smtp, "sms": sms}) == 1
    assert {m.channel: (m.status, m.error) for m in rows(salon)} == {
        "email": ("queued", "resumed after an interrupted send"), "sms": ("failed", delivery.INTERRUPTED)}


def test_an_smtp_refusal_after_the_commit_point_turns_the_sent_record_into_failed(app, salon):
    class RefusingInbox:
        async def handle_DATA(self, server, session, envelope):
            return "554 rejected as spam"

    from aiosmtpd.controller import Controller
    from tests.messages_helpers import free_port

    controller = Controller(RefusingInbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        _queue(salon, consenting(salon, email="spam@example.com"), channel="email")
        smtp = SmtpTransport(f"smtp://127.0.0.1:{controller.port}", "s@x.example")
        counts = delivery.deliver_due(app.config, at=at("2026-12-01T10:00"), transports={"email": smtp, "sms": OutboxTransport()})
    finally:
        controller.stop()
    assert counts["failed"] == 1
    [message] = rows(salon)
    assert message.status == "failed" and "554" in message.error
    assert CustomerCommunication.get_by_id(message.communication_id).status == "failed"


@pytest.mark.postgres_only
def test_concurrent_workers_never_claim_the_same_message(app, salon, database):
    import threading

    customers = [consenting(salon, f"C {n}", phone=f"0788 50{n:04d}") for n in range(200)]
    for customer in customers:
        _queue(salon, customer)
    claimed, errors = [], []

    def worker():
        try:
            with database.connection_context():
                while (message_id := delivery.claim_next(salon.id, at("2026-12-01T10:00"))) is not None:
                    claimed.append(message_id)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(claimed) == len(set(claimed)) == 200


def test_an_appointment_booked_hours_ahead_gets_its_confirmation_but_no_reminder(app, salon):
    from salon_web.models import Appointment

    customer = consenting(salon, phone="0788 909 909")
    switch_on(salon, "appointment_reminder", "appointment_confirmation")
    appointment = book_appointment(salon, customer=customer, service_name="Cut", price=5_000,
                                   scheduled_at=at("2026-12-01T16:00"))
    Appointment.update(created_at=at("2026-12-01T08:00")).where(Appointment.id == appointment.id).execute()
    assert automations.run_automations(app.config, at=at("2026-12-01T08:01"), deliver=False)["queued"][salon.id] == {
        "appointment_reminder": 0, "appointment_confirmation": 1}
