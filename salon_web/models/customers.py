"""Customers: a shared identity, each salon's own record of the person, tags and segments.

Throughout the app "customer" means the salon's record (`SalonCustomer`). The
cross-salon identity (`Customer`) is only reached through `SalonCustomer.identity`
and is never shown to staff, so one salon can never see another salon's record.
Other tenant tables' `customer_id` columns point at `salon_customer.id`.
"""
from peewee import (
    SQL,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    JSONField,
    SqliteDatabase,
    TextField,
)

from salon_web.db import db
from salon_web.models.base import BaseModel, MoneyField, TenantModel, UTCDateTimeField, utcnow
from salon_web.models.salons import Salon
from salon_web.models.users import User

CHANNELS = ("sms", "email", "phone", "in_app")


class Customer(BaseModel):
    """A person's identity across salons, keyed by phone alone; a card without a phone has its own.

    It holds nothing but the normalised phone a salon typed itself, and no constraint on it can
    refuse a salon's write, so no salon can learn from it what another salon recorded.
    """

    phone_e164 = CharField(max_length=20, null=True, unique=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "customer"


class SalonCustomer(TenantModel):
    """Everything one salon knows about a customer; the only row staff see or edit."""

    salon = ForeignKeyField(Salon, backref="customers", on_delete="CASCADE", index=False)
    identity = ForeignKeyField(Customer, column_name="customer_id", backref="salon_records")
    full_name = CharField(max_length=200)
    # Lower-cased, accents stripped: what name search and name sorting use on every database.
    name_search = CharField(max_length=200)
    phone = CharField(max_length=40, null=True)  # as typed
    phone_e164 = CharField(max_length=20, null=True)
    email = CharField(max_length=254, null=True)
    birthday = DateField(null=True)
    # Visit figures: written only by salon_web.services.visits, never by hand.
    visit_count = IntegerField(default=0)
    total_spent = MoneyField(default=0)
    first_visit_at = UTCDateTimeField(null=True)
    last_visit_at = UTCDateTimeField(null=True)
    notes = TextField(default="")
    preferences = JSONField(default=dict)
    follow_up_on = DateField(null=True)
    communication_preferences = JSONField(default=list)  # channels accepted for service messages
    marketing_consent_at = UTCDateTimeField(null=True)
    marketing_consent_withdrawn_at = UTCDateTimeField(null=True)
    version = IntegerField(default=1)  # optimistic lock for concurrent edits
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    # Set when the client asked to be forgotten: the card is anonymised and no list, search or export shows it.
    forgotten_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "salon_customer"
        indexes = (
            # One card per phone per salon, decided by this salon's own column alone.
            (("salon", "phone_e164"), True),
            (("salon", "email"), False),
            (("salon", "last_visit_at", "id"), False),
            (("salon", "total_spent", "id"), False),
            (("salon", "visit_count", "id"), False),
            (("salon", "name_search", "id"), False),
            (("salon", "follow_up_on"), False),
            (("salon", "first_visit_at"), False),  # analytics: newcomers, cohorts (migration 0005)
        )

    @property
    def has_marketing_consent(self):
        return self.marketing_consent_at is not None and (
            self.marketing_consent_withdrawn_at is None
            or self.marketing_consent_withdrawn_at < self.marketing_consent_at
        )


# The customers not forgotten, per salon (migration 0023): the list's capped count reads this index alone, and
# SQLite's unfiltered export reads the salon's rows through it.
PRESENT_CUSTOMERS_INDEX = "salon_customer_salon_present"
SalonCustomer.add_index(SalonCustomer.index(SalonCustomer.salon, name=PRESENT_CUSTOMERS_INDEX,
                                            where=SalonCustomer.forgotten_at.is_null()))

# Indexes that only PostgreSQL has. Search (migration 0003): pg_trgm GIN indexes serve substring
# search (3+ characters); a text_pattern_ops b-tree serves 1-2 character prefix search (LIKE 'ab%'
# cannot use a default-collation b-tree), and one serves phone prefixes such as "+25078812%", whose
# country-code trigrams are in every row. They are declared only while a PostgreSQL database is
# bound, so SQLite's schema stays plain and schema_diff sees the same indexes as the migration made.
POSTGRES_ONLY_INDEXES = (
    ("salon_customer_name_search_trgm", (SQL("name_search gin_trgm_ops"),), "gin"),
    ("salon_customer_phone_e164_trgm", (SQL("phone_e164 gin_trgm_ops"),), "gin"),
    ("salon_customer_email_trgm", (SQL("email gin_trgm_ops"),), "gin"),
    ("salon_customer_salon_name_prefix", (SQL("salon_id"), SQL("name_search text_pattern_ops")), None),
    ("salon_customer_salon_phone_prefix", (SQL("salon_id"), SQL("phone_e164 text_pattern_ops")), None),
    # The Today page's birthdays of the week (migration 0022): sql_dialect.month_day_number_sql's expression.
    ("salon_customer_salon_birthday_day",
     (SQL("salon_id"), SQL("(date_part('month', birthday) * 100 + date_part('day', birthday))")), None),
)


def declare_postgres_indexes(is_postgres):
    """Add (or, for another database, remove) the PostgreSQL-only indexes on SalonCustomer."""
    names = {name for name, _, _ in POSTGRES_ONLY_INDEXES}
    meta = SalonCustomer._meta
    meta.indexes = [i for i in meta.indexes if getattr(i, "_name", None) not in names]
    if is_postgres:
        for name, expressions, using in POSTGRES_ONLY_INDEXES:
            SalonCustomer.add_index(SalonCustomer.index(*expressions, name=name, using=using))


@db.attach_callback
def _declare_indexes_for(database):
    """When the proxy is bound, PostgreSQL gets its search indexes and SQLite keeps a plain schema."""
    if database is not None:
        declare_postgres_indexes(not isinstance(database, SqliteDatabase))


if db.obj is not None:  # bound before this module was imported
    _declare_indexes_for(db.obj)


class Tag(TenantModel):
    salon = ForeignKeyField(Salon, backref="tags", on_delete="CASCADE", index=False)
    name = CharField(max_length=50)

    class Meta:
        table_name = "tag"
        indexes = ((("salon", "name"), True),)


class CustomerTag(TenantModel):
    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    customer = ForeignKeyField(SalonCustomer, backref="customer_tags", on_delete="CASCADE", index=False)
    tag = ForeignKeyField(Tag, backref="customer_tags", on_delete="CASCADE")

    class Meta:
        table_name = "customer_tag"
        indexes = (
            (("customer", "tag"), True),
            (("salon", "tag", "customer"), False),
        )


class SavedSegment(TenantModel):
    """A named customer-list filter, stored as its query string."""

    salon = ForeignKeyField(Salon, backref="segments", on_delete="CASCADE", index=False)
    name = CharField(max_length=100)
    query = TextField()
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "saved_segment"
        indexes = ((("salon", "name"), True),)
