"""Demo data: three salons in three countries, their staff, a few hundred customers each and 24 months
of sales and appointments (sample_data/demo_activity.py, posted through the visit hook).

Deterministic (seeded random) and idempotent: running it twice adds nothing.
"""
import datetime
import random

from salon_web.db import db, refresh_planner_statistics
from salon_web.models import EMPLOYEE, OWNER, Membership, Salon, SalonCustomer, User, utcnow
from salon_web.sample_data.demo_activity import seed_activity
from salon_web.services.customers import add_tag, create_salon_customer, ensure_tag
from salon_web.services.messages.settings import switch_on
from salon_web.services.passwords import hash_password
from salon_web.services.phones import normalize_phone

DEMO_SALONS = [
    {
        "slug": "kigali-glow",
        "name": "Kigali Glow Salon",
        "country": "RW",
        "timezone": "Africa/Kigali",
        "language": "rw",
        "currency": "RWF",
        "first_names": ["Aline", "Divine", "Grace", "Claudine", "Josiane", "Ange", "Eric", "Jean", "Patrick", "Diane",
                        "Olivier", "Sandrine", "Yvette", "Clarisse", "Fabrice", "Nadine", "Alice", "Innocent", "Esther", "Chantal"],
        "surnames": ["Uwase", "Mukamana", "Niyonsaba", "Habimana", "Uwimana", "Ingabire", "Nshimiyimana", "Mugisha",
                     "Iradukunda", "Umutoni", "Kayitesi", "Nkurunziza", "Bizimana", "Mutesi", "Hakizimana"],
        "phone": lambda rng: f"07{rng.choice('2389')}{rng.randrange(1000000, 9999999)}",
        "email_domain": "gmail.com",
        "customers": 260,
    },
    {
        "slug": "atelier-lumiere",
        "name": "Atelier Lumière",
        "country": "FR",
        "timezone": "Europe/Paris",
        "language": "fr",
        "currency": "EUR",
        "first_names": ["Émilie", "Chloé", "Léa", "Manon", "Camille", "Inès", "Zoé", "Hélène", "Théo", "Lucas",
                        "Céline", "Amélie", "Noémie", "Gaëlle", "Jérôme", "Sébastien", "Margaux", "Anaïs", "Clément", "Maëlle"],
        "surnames": ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux", "Fournier",
                     "Mercier", "Faure", "Bonnet", "Lambert", "Rousseau", "Vincent"],
        "phone": lambda rng: f"06 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
        "email_domain": "orange.fr",
        "customers": 220,
    },
    {
        "slug": "brooklyn-shears",
        "name": "Brooklyn Shears",
        "country": "US",
        "timezone": "America/New_York",
        "language": "en",
        "currency": "USD",
        "first_names": ["Maya", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Harper", "Aaliyah", "Zoe", "Nina",
                        "Jordan", "Marcus", "Tyler", "Jasmine", "Keisha", "Rosa", "Priya", "Hannah", "Leah", "Grace"],
        "surnames": ["Johnson", "Williams", "Brown", "Garcia", "Rodriguez", "Davis", "Martinez", "Lopez", "Wilson",
                     "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Nguyen"],
        "phone": lambda rng: f"({rng.choice(['718', '347', '929'])}) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}",
        "email_domain": "example.net",
        "customers": 240,
    },
]

# People known to both Kigali and Paris: one identity, two independent salon records.
SHARED_PEOPLE = 12

TAGS = ["VIP", "Regular", "New", "Birthday-Club", "Colour", "Bridal", "Braids", "Sensitive scalp"]
NOTES = [
    "Prefers a quiet chair near the window.",
    "Likes a strong coffee while waiting.",
    "Books for her daughter too.",
    "Always asks for the same stylist.",
    "Wants to grow hair out; trim ends only.",
    "Mention the loyalty card next time.",
]
ALLERGIES = ["PPD (hair dye)", "Latex gloves", "Fragrance", "Ammonia"]

DEMO_USERS = [
    # email, name, is_admin, [(salon slug, role)]
    ("admin@example.com", "Ada Admin", True, []),
    ("owner@example.com", "Olive Owner", False, [("kigali-glow", OWNER)]),
    ("employee@example.com", "Emma Employee", False, [("kigali-glow", EMPLOYEE)]),
    ("stylist@example.com", "Sam Stylist", False, [("kigali-glow", EMPLOYEE)]),
    ("owner2@example.com", "Odile Owner", False, [("atelier-lumiere", OWNER), ("brooklyn-shears", OWNER)]),
    ("paris.stylist@example.com", "Paul Coiffeur", False, [("atelier-lumiere", EMPLOYEE)]),
    ("brooklyn.stylist@example.com", "Bea Barber", False, [("brooklyn-shears", EMPLOYEE)]),
]


DEMO_AUTOMATIONS = ("birthday", "follow_up", "appointment_reminder")


def seed_demo(password, *, today=None, customers_per_salon=None):
    """Create the demo salons, users and customers that do not exist yet; return a summary dict.

    `customers_per_salon` shrinks the data set (browser tests use a handful).
    """
    today = today or utcnow().date()
    summary = {"salons": 0, "users": 0, "customers": 0, "sales": 0}
    with db.atomic():
        salons, new_salons = {}, []
        for index, spec in enumerate(DEMO_SALONS):
            salon, created = _get_or_create_salon(spec)
            salons[spec["slug"]] = salon
            if created:
                new_salons.append((index, salon))
                summary["salons"] += 1
                count = customers_per_salon or spec["customers"]
                summary["customers"] += _seed_customers(salon, spec, count, random.Random(1000 + index), today)
        summary["customers"] += _seed_shared_people(salons, random.Random(7), today)
        password_hash = hash_password(password)
        for email, name, is_admin, memberships in DEMO_USERS:
            user, created = User.get_or_create(
                email=email, defaults={"name": name, "is_admin": is_admin, "password_hash": password_hash}
            )
            summary["users"] += int(created)
            for slug, role in memberships:
                Membership.insert(salon=salons[slug], user=user, role=role).on_conflict_ignore().execute()
        for index, salon in new_salons:  # only new salons: seeding twice adds no history
            summary["sales"] += seed_activity(salon, random.Random(2000 + index))
            # Messages: a newcomer sees these automations work in the Outbox (nothing leaves without a provider).
            switch_on(salon, *DEMO_AUTOMATIONS)
    if new_salons:
        refresh_planner_statistics("customer", "salon_customer", "tag", "customer_tag", "appointment", "sale",
                                   "sale_item", "visit")
    return summary


def _get_or_create_salon(spec):
    fields = {k: spec[k] for k in ("name", "country", "timezone", "currency", "language")}
    return Salon.get_or_create(slug=spec["slug"], defaults=fields)


def _seed_customers(salon, spec, count, rng, today):
    tags = {name: ensure_tag(salon, name) for name in TAGS}
    for _ in range(count):
        first, last = rng.choice(spec["first_names"]), rng.choice(spec["surnames"])
        customer = _create_person(salon, spec, rng, f"{first} {last}", today)
        for name in rng.sample(TAGS, k=rng.choice([0, 0, 1, 1, 1, 2, 3])):
            add_tag(customer, tags[name])
    return count


def _create_person(salon, spec, rng, full_name, today, phone_typed=None):
    phone_typed = phone_typed or spec["phone"](rng)
    phone_e164 = normalize_phone(phone_typed, salon.country)
    if SalonCustomer.select().where(
        (SalonCustomer.salon == salon) & (SalonCustomer.phone_e164 == phone_e164)
    ).exists():
        phone_typed = spec["phone"](rng)  # rare collision: draw another number
        phone_e164 = normalize_phone(phone_typed, salon.country)
    email = None
    if rng.random() < 0.6:
        local = full_name.lower().replace(" ", ".").encode("ascii", "ignore").decode()
        email = f"{local}{rng.randrange(1, 999)}@{spec['email_domain']}"
    preferences = {}
    if rng.random() < 0.08:
        preferences["allergies"] = rng.choice(ALLERGIES)
    if rng.random() < 0.2:
        preferences["preferred_times"] = rng.choice(["Saturday mornings", "Weekday evenings", "Lunch breaks"])
    consent = rng.random() < 0.55
    return create_salon_customer(
        salon,
        full_name=full_name,
        phone=phone_typed,
        phone_e164=phone_e164,
        email=email,
        birthday=_birthday(rng, today) if rng.random() < 0.7 else None,
        notes=rng.choice(NOTES) if rng.random() < 0.25 else "",
        preferences=preferences,
        communication_preferences=rng.sample(["sms", "email", "phone", "in_app"], k=rng.randrange(1, 4)),
        marketing_consent_at=utcnow() - datetime.timedelta(days=rng.randrange(30, 700)) if consent else None,
        follow_up_on=today + datetime.timedelta(days=rng.randrange(-10, 30)) if rng.random() < 0.1 else None,
    )


def _birthday(rng, today):
    if rng.random() < 0.04:
        return datetime.date(rng.choice([1988, 1992, 1996, 2000]), 2, 29)
    if rng.random() < 0.05:  # a few birthdays this week, so the Today page has something to show
        return (today + datetime.timedelta(days=rng.randrange(0, 7))).replace(year=rng.randrange(1970, 2004))
    return datetime.date(rng.randrange(1960, 2006), rng.randrange(1, 13), rng.randrange(1, 29))


def _seed_shared_people(salons, rng, today):
    """People in both Kigali and Paris, recognised by phone; added once."""
    kigali, paris = salons["kigali-glow"], salons["atelier-lumiere"]
    kigali_spec, paris_spec = DEMO_SALONS[0], DEMO_SALONS[1]
    created = 0
    for index in range(SHARED_PEOPLE):
        phone = f"+25078800{index:04d}"
        name = f"{rng.choice(kigali_spec['first_names'])} {rng.choice(kigali_spec['surnames'])}"
        for salon, spec in ((kigali, kigali_spec), (paris, paris_spec)):
            exists = SalonCustomer.select().where(
                (SalonCustomer.salon == salon) & (SalonCustomer.phone_e164 == phone)
            ).exists()
            if not exists:
                _create_person(salon, spec, rng, name, today, phone_typed=phone)
                created += 1
    return created
