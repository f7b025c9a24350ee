"""Benchmark data: one large salon and one 2,000-customer salon with the shape of DESIGN.md "Demo data".

Rows are generated in Python from a seeded random source and written with batched multi-row
INSERTs (never one ORM save per row): identities, salon records, tags, one completed sale (with one
line) per visit and the `visit` ledger derived from those sales in SQL, so the ledger matches its
sources (`recompute-visits --check` finds no drift) and adds up exactly to each customer's
visit_count, total_spent, first and last visit.
"""
import datetime
import random

from peewee import fn

from salon_web.db import db, is_postgres
from salon_web.models import (
    OWNER,
    AuditEvent,
    Customer,
    CustomerTag,
    LedgerEpoch,
    Membership,
    Sale,
    SaleItem,
    Salon,
    SalonCustomer,
    SavedSegment,
    Tag,
    User,
    Visit,
    utcnow,
)
from salon_web.models.sales import COMPLETED
from salon_web.models.visits import SOURCE_SALE
from salon_web.services.passwords import hash_password
from salon_web.services.text import fold

LARGE_SLUG = "bench-large"
SMALL_SLUG = "bench-small"
SMALL_CUSTOMERS = 2_000
BENCH_USER = "bench@example.com"
BATCH = 2_000

FIRST_NAMES = ["Aline", "Divine", "Grace", "Claudine", "Josiane", "Ange", "Eric", "Jean", "Patrick", "Diane",
               "Olivier", "Sandrine", "Yvette", "Clarisse", "Fabrice", "Nadine", "Alice", "Innocent", "Esther",
               "Chantal"]
SURNAMES = ["Uwase", "Mukamana", "Niyonsaba", "Habimana", "Uwimana", "Ingabire", "Nshimiyimana", "Mugisha",
            "Iradukunda", "Umutoni", "Kayitesi", "Nkurunziza", "Bizimana", "Mutesi", "Hakizimana", "Ndayisaba",
            "Mukeshimana", "Nsengiyumva", "Uwamahoro", "Byiringiro", "Tuyishime", "Irakoze", "Ishimwe", "Gasana",
            "Kamanzi", "Murekatete", "Nyirahabimana", "Rukundo", "Sibomana", "Twagirayezu"]
# Skewed: the most common surname on ~18% of customers, the fourth on ~5%, a long tail for the rest.
_HEAD = [18.0, 10.0, 7.0, 5.0]
_TAIL = [3.6 - 0.095 * i for i in range(len(SURNAMES) - len(_HEAD))]
SURNAME_WEIGHTS = _HEAD + [w * (100 - sum(_HEAD)) / sum(_TAIL) for w in _TAIL]
NOTES = [
    "Prefers a quiet chair near the window.",
    "Likes a strong coffee while waiting.",
    "Always asks for the same stylist.",
    "Sensitive scalp: patch test before colour.",
    "Wants to grow hair out; trim ends only.",
]
TAG_NAMES = ("Regular", "New", "Birthday-Club", "VIP")
THREE_YEARS = 3 * 365 * 86_400


def build(customers, *, small=SMALL_CUSTOMERS, seed=42, password="demo-password-123", now=None, log=print):
    """Create (replacing any earlier run) the large and small bench salons; return {slug: salon id}."""
    now = now or utcnow()
    rng = random.Random(seed)
    remove_bench_salons()
    ids = {}
    phones = rng.sample(range(40_000_000), customers + small)
    for slug, name, count, phone_slice in (
        (LARGE_SLUG, "Bench Large Salon", customers, phones[:customers]),
        (SMALL_SLUG, "Bench Small Salon", small, phones[customers:]),
    ):
        salon = Salon.create(name=name, slug=slug, country="RW", timezone="Africa/Kigali", currency="RWF")
        ids[slug] = salon.id
        _fill_salon(salon, phone_slice, rng, now, log)
    _bench_user(password, ids.values())
    analyze()
    return ids


def remove_bench_salons():
    """Delete earlier bench salons and everything in them (the ledger first: it has no cascade)."""
    salon_ids = [s.id for s in Salon.select(Salon.id).where(Salon.slug.in_([LARGE_SLUG, SMALL_SLUG]))]
    if not salon_ids:
        return
    with db.atomic():
        LedgerEpoch.delete().where(LedgerEpoch.salon.in_(salon_ids)).execute()
        Visit.delete().where(Visit.salon.in_(salon_ids)).execute()
        SaleItem.delete().where(SaleItem.salon.in_(salon_ids)).execute()
        Sale.delete().where(Sale.salon.in_(salon_ids)).execute()
        CustomerTag.delete().where(CustomerTag.salon.in_(salon_ids)).execute()
        Tag.delete().where(Tag.salon.in_(salon_ids)).execute()
        SavedSegment.delete().where(SavedSegment.salon.in_(salon_ids)).execute()
        AuditEvent.delete().where(AuditEvent.salon.in_(salon_ids)).execute()
        identities = SalonCustomer.select(SalonCustomer.identity).where(SalonCustomer.salon.in_(salon_ids))
        orphan_candidates = [row[0] for row in identities.tuples()]
        SalonCustomer.delete().where(SalonCustomer.salon.in_(salon_ids)).execute()
        for start in range(0, len(orphan_candidates), 10_000):
            chunk = orphan_candidates[start:start + 10_000]
            still_used = SalonCustomer.select(SalonCustomer.id).where(SalonCustomer.identity == Customer.id)
            Customer.delete().where(Customer.id.in_(chunk) & ~fn.EXISTS(still_used)).execute()
        Salon.delete().where(Salon.id.in_(salon_ids)).execute()


def _fill_salon(salon, phone_numbers, rng, now, log):
    tags = {name: Tag.create(salon=salon, name=name) for name in TAG_NAMES}
    created = 0
    for start in range(0, len(phone_numbers), BATCH):
        people = [_person(rng, number, now) for number in phone_numbers[start:start + BATCH]]
        with db.atomic():
            identity_ids = _insert_identities(people, now)
            record_ids = _insert_records(salon, people, identity_ids, now)
            _insert_sales_and_visits(salon, people, record_ids, now)
            _insert_tags(salon, people, record_ids, tags)
        created += len(people)
        if created % 20_000 == 0 or created == len(phone_numbers):
            log(f"{salon.slug}: {created:,} customers")


def _person(rng, number, now):
    first, surname = rng.choice(FIRST_NAMES), rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    full_name = f"{first} {surname}"
    national = f"7{'2389'[number // 10_000_000]}{number % 10_000_000:07d}"
    visits = 1 + int(rng.expovariate(1 / 4))
    first_visit = now - datetime.timedelta(seconds=rng.randrange(THREE_YEARS))
    span = (now - first_visit).total_seconds()
    last_visit = first_visit if visits == 1 else first_visit + datetime.timedelta(seconds=rng.uniform(0, span))
    between = sorted(
        first_visit + datetime.timedelta(seconds=rng.uniform(0, (last_visit - first_visit).total_seconds()))
        for _ in range(max(visits - 2, 0))
    )
    moments = [first_visit] + between + ([last_visit] if visits > 1 else [])
    amounts = [rng.randrange(50, 251) * 100 for _ in range(visits)]  # 5,000-25,000 RWF per visit
    roll = rng.random()
    tags = ["Regular"] if roll < 0.20 else ["New"] if roll < 0.30 else ["Birthday-Club"] if roll < 0.35 \
        else ["VIP", "Regular"] if roll < 0.40 else []
    email = None
    if rng.random() < 0.6:
        email = f"{fold(first)}.{fold(surname)}{rng.randrange(1, 10_000)}@gmail.com"
    return {
        "full_name": full_name,
        "phone": f"0{national[:3]} {national[3:6]} {national[6:]}",
        "phone_e164": f"+250{national}",
        "email": email,
        "moments": [m.replace(microsecond=0) for m in moments],
        "amounts": amounts,
        "tags": tags,
        "notes": rng.choice(NOTES) if rng.random() < 0.10 else "",
    }


def _insert_identities(people, now):
    rows = [{"phone_e164": p["phone_e164"], "created_at": now} for p in people]
    Customer.insert_many(rows).on_conflict_ignore().execute()
    phones = [p["phone_e164"] for p in people]
    found = dict(Customer.select(Customer.phone_e164, Customer.id).where(Customer.phone_e164.in_(phones)).tuples())
    return [found[p] for p in phones]


def _insert_records(salon, people, identity_ids, now):
    rows = [
        {
            "salon": salon.id,
            "identity": identity_id,
            "full_name": p["full_name"],
            "name_search": fold(p["full_name"]),
            "phone": p["phone"],
            "phone_e164": p["phone_e164"],
            "email": p["email"],
            "visit_count": len(p["moments"]),
            "total_spent": sum(p["amounts"]),
            "first_visit_at": p["moments"][0],
            "last_visit_at": p["moments"][-1],
            "notes": p["notes"],
            "preferences": {},
            "communication_preferences": [],
            "created_at": p["moments"][0],
            "updated_at": now,
        }
        for p, identity_id in zip(people, identity_ids)
    ]
    SalonCustomer.insert_many(rows).execute()
    found = dict(
        SalonCustomer.select(SalonCustomer.identity, SalonCustomer.id)
        .where((SalonCustomer.salon == salon) & (SalonCustomer.identity.in_(identity_ids)))
        .tuples()
    )
    return [found[i] for i in identity_ids]


def _insert_sales_and_visits(salon, people, record_ids, now):
    """One completed sale with one line per visit, then the batch's ledger rows derived from those sales."""
    first_new = (Sale.select(fn.MAX(Sale.id)).scalar() or 0) + 1
    rows = [(salon.id, record_id, amount, COMPLETED, moment, moment, "cash")
            for p, record_id in zip(people, record_ids) for moment, amount in zip(p["moments"], p["amounts"])]
    fields = [Sale.salon, Sale.customer, Sale.total, Sale.status, Sale.sold_at, Sale.created_at, Sale.payment_method]
    for start in range(0, len(rows), 5_000):
        Sale.insert_many(rows[start:start + 5_000], fields=fields).execute()
    p = db.param
    db.execute_sql(f"INSERT INTO sale_item (salon_id, sale_id, description, quantity, unit_price) "
                   f"SELECT salon_id, id, {p}, 1, total FROM sale WHERE salon_id = {p} AND id >= {p}",
                   ("Cut and style", salon.id, first_new))
    db.execute_sql(f"INSERT INTO visit (salon_id, customer_id, occurred_at, amount, source_type, source_id) "
                   f"SELECT salon_id, customer_id, sold_at, total, {p}, id FROM sale WHERE salon_id = {p} AND id >= {p}",
                   (SOURCE_SALE, salon.id, first_new))


def _insert_tags(salon, people, record_ids, tags):
    rows = [(salon.id, record_id, tags[name].id) for p, record_id in zip(people, record_ids) for name in p["tags"]]
    if rows:
        CustomerTag.insert_many(rows, fields=[CustomerTag.salon, CustomerTag.customer, CustomerTag.tag]).execute()


def _bench_user(password, salon_ids):
    user = User.get_or_none(User.email == BENCH_USER)
    if user is None:
        user = User.create(email=BENCH_USER, name="Bench Owner", password_hash=hash_password(password))
    for salon_id in salon_ids:
        Membership.insert(salon=salon_id, user=user, role=OWNER).on_conflict_ignore().execute()


def analyze():
    """Refresh planner statistics (and the visibility map on PostgreSQL, for index-only counts)."""
    if not is_postgres():
        db.execute_sql("ANALYZE")
        return
    connection = db.connection()
    previous = connection.autocommit
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for table in ("customer", "salon_customer", "customer_tag", "tag", "sale", "sale_item", "visit"):
                cursor.execute(f'VACUUM ANALYZE "{table}"')
    finally:
        connection.autocommit = previous
