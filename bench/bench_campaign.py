"""A campaign to 10,000 recipients: audience (consent, channel, cap), rendering and queueing (goal <= 10 s).

`python -m bench campaign`. Builds a salon of RECIPIENTS consenting customers once (slug bench-campaign), then
times `campaigns.create_campaign` several times, each run's messages deleted before the next.
"""
import datetime

from salon_web.db import db
from salon_web.models import Customer, Salon, SalonCustomer, utcnow
from salon_web.models.messages import Campaign, OutboundMessage
from salon_web.services.messages import campaigns
from salon_web.services.messages.rules import settings_for
from salon_web.web_forms.customer_list import segment_filter

from bench.support import ensure_database, stopwatch

RECIPIENTS = 10_000
SLUG = "bench-campaign"
CONFIG = {"SECRET_KEY": "bench-secret", "PUBLIC_BASE_URL": "https://salon.example"}


def _salon():
    """The campaign salon with RECIPIENTS consenting customers (half with an e-mail only)."""
    salon = Salon.get_or_none(Salon.slug == SLUG)
    if salon and SalonCustomer.select().where(SalonCustomer.salon == salon).count() == RECIPIENTS:
        return salon
    if salon:
        Salon.delete().where(Salon.id == salon.id).execute()
    salon = Salon.create(name="Campaign Bench", slug=SLUG, country="RW", timezone="Africa/Kigali", currency="RWF")
    now = utcnow()
    phones = [f"+2507390{n:05d}" for n in range(RECIPIENTS)]
    with db.atomic():
        Customer.delete().where(Customer.phone_e164.in_(phones)).execute()
        for start in range(0, RECIPIENTS, 1000):
            Customer.insert_many([{"phone_e164": p, "created_at": now} for p in phones[start:start + 1000]]).execute()
        ids = dict(Customer.select(Customer.phone_e164, Customer.id).where(Customer.phone_e164.in_(phones)).tuples())
        rows = [{"salon": salon.id, "identity": ids[p], "full_name": f"Client {n:05d} Uwase", "name_search": f"client {n:05d} uwase",
                 "phone": p if n % 2 else None, "phone_e164": p if n % 2 else None, "email": f"c{n}@example.com",
                 "marketing_consent_at": now - datetime.timedelta(days=30), "communication_preferences": [],
                 "preferences": {}, "created_at": now, "updated_at": now} for n, p in enumerate(phones)]
        for start in range(0, RECIPIENTS, 1000):
            SalonCustomer.insert_many(rows[start:start + 1000]).execute()
    return salon


def run(database_url, args):
    ensure_database(database_url)
    with db.connection_context():
        salon = _salon()
        seconds = []
        for _ in range(3):
            OutboundMessage.delete().where(OutboundMessage.salon == salon).execute()
            Campaign.delete().where(Campaign.salon == salon).execute()
            with stopwatch() as took:
                campaign = campaigns.create_campaign(
                    salon, settings_for(salon), CONFIG, name="Bench", customer_filter=segment_filter("", salon)[0],
                    channel="auto", language="fr", subject="Bonjour {first_name}",
                    body="{first_name}, des nouvelles de {salon_name} : -20 % cette semaine.")
            assert campaign.queued_count == RECIPIENTS, campaign.queued_count
            seconds.append(took["seconds"])
        print(f"campaign to {RECIPIENTS:,} recipients queued and rendered: best {min(seconds):.2f} s, "
              f"worst {max(seconds):.2f} s over {len(seconds)} runs (goal <= 10 s)")
