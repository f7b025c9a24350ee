"""The Messages area (managers), the card's messages panel (all staff), the public links and the webhooks."""
from salon_web.models.messages import Campaign
from salon_web.services.messages import links
from tests.access import Route

SECRET = "test-secret"  # the test app's SECRET_KEY (tests/conftest.py)


def prepare(world):
    """A campaign to look at and stop; signed links for the salon's customer."""
    campaign = Campaign.create(salon=world.salon, name="Launch", channel="sms", language="en", body="Hello")
    return {
        "campaign": campaign.id,
        "unsubscribe_token": links.unsubscribe_token(SECRET, world.salon.id, world.customer.id),
        "feedback_token": links.feedback_token(SECRET, world.salon.id, world.customer.id, "visit:1"),
    }


SETTINGS = {"language": "en", "quiet_start": "21:00", "quiet_end": "08:00", "marketing_cap": "2", "cap_days": "7",
            "automations": "birthday"}
TEMPLATE = {"purpose": "birthday", "language": "fr", "subject": "Bonne fête", "body": "Bonne fête {first_name}"}
CAMPAIGN = {"name": "December", "query": "tags=VIP", "channel": "auto", "language": "en", "when": "now",
            "subject": "News", "body": "News from {salon_name}"}

# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("messages.hub", "GET", "/salons/{salon}/messages", 302, 200, 200, 404, 403),
    Route("messages.settings", "GET", "/salons/{salon}/messages/settings", 302, 200, 200, 404, 403),
    Route("messages.save", "POST", "/salons/{salon}/messages/settings", 302, 303, 303, 404, 403, data=SETTINGS),
    Route("messages.templates", "GET", "/salons/{salon}/messages/templates", 302, 200, 200, 404, 403),
    Route("messages.save_template_view", "POST", "/salons/{salon}/messages/templates", 302, 303, 303, 404, 403,
          data=TEMPLATE),
    Route("messages.preview", "POST", "/salons/{salon}/messages/preview", 302, 200, 200, 404, 403, data=TEMPLATE),
    Route("messages.campaign_list", "GET", "/salons/{salon}/messages/campaigns", 302, 200, 200, 404, 403),
    Route("messages.campaign_preview", "POST", "/salons/{salon}/messages/campaigns/preview", 302, 200, 200, 404, 403,
          data=CAMPAIGN),
    Route("messages.campaign_create", "POST", "/salons/{salon}/messages/campaigns", 302, 303, 303, 404, 403,
          data=CAMPAIGN),
    Route("messages.campaign", "GET", "/salons/{salon}/messages/campaigns/{campaign}", 302, 200, 200, 404, 403),
    Route("messages.campaign", "GET", "/salons/{other_salon}/messages/campaigns/{campaign}", 302, 404, 404, 404, 404),
    Route("messages.campaign_stop", "POST", "/salons/{salon}/messages/campaigns/{campaign}/stop", 302, 303, 303, 404, 403),
    Route("messages.feedback_summary", "GET", "/salons/{salon}/messages/feedback", 302, 200, 200, 404, 403),
    Route("messages.card_panel", "GET", "/salons/{salon}/customers/{customer}/messages", 302, 200, 200, 404, 200),
    Route("messages.card_panel", "GET", "/salons/{salon}/customers/{other_customer}/messages", 302, 404, 404, 404, 404),
    Route("messages.card_send", "POST", "/salons/{salon}/customers/{customer}/messages", 302, 303, 303, 404, 303,
          data={"purpose": "follow_up", "channel": "auto", "language": "en"}),
    # Public: the signed token is the key; a bad one is a 404, an unsigned webhook a 403.
    Route("message_links.unsubscribe_page", "GET", "/m/unsubscribe/{unsubscribe_token}", 200, 200, 200, 200, 200),
    Route("message_links.unsubscribe_page", "GET", "/m/unsubscribe/forged", 404, 404, 404, 404, 404),
    Route("message_links.unsubscribe", "POST", "/m/unsubscribe/{unsubscribe_token}", 200, 200, 200, 200, 200),
    Route("message_links.feedback_page", "GET", "/m/feedback/{feedback_token}", 200, 200, 200, 200, 200),
    Route("message_links.feedback", "POST", "/m/feedback/{feedback_token}", 200, 200, 200, 200, 200,
          data={"rating": "5", "comment": "Lovely"}),
    Route("message_links.feedback", "POST", "/m/feedback/forged", 404, 404, 404, 404, 404, data={"rating": "5"}),
    Route("message_links.twilio_inbound", "POST", "/hooks/twilio/inbound", 403, 403, 403, 403, 403,
          data={"From": "+250788123456", "Body": "STOP"}),
    Route("message_links.twilio_status", "POST", "/hooks/twilio/status", 403, 403, 403, 403, 403,
          data={"MessageSid": "SM1", "MessageStatus": "delivered"}),
]
