"""A client's rights: a copy of everything the salon holds about them, and being forgotten.

Forgetting erases the card's personal data (name, contacts, birthday, notes, preferences, tags, consents,
message texts, the audit trail's details about them, merge snapshots) and links the card to a fresh identity
of its own. The sales, appointments and visits stay, anonymised, because the salon's books and figures need
their amounts and dates; `forgotten_at` keeps the card out of every list, search and export
(`CustomerFilter.conditions`).
"""
import datetime

from peewee import fn

from salon_web.db import db
from salon_web.models import (
    Appointment, AuditEvent, CustomerCommunication, CustomerMerge, CustomerTag, Sale, SaleItem, SalonCustomer, Tag,
    Visit, utcnow,
)
from salon_web.services import audit
from salon_web.services.customers import identity_for_phone
from salon_web.services.field_errors import FieldErrors
from salon_web.services.visits import lock_customer
from salon_web.texts import _l

FORGOTTEN_NAME = "Forgotten client"
CARD_COLUMNS = (
    "id", "full_name", "phone", "phone_e164", "email", "birthday", "notes", "preferences", "follow_up_on",
    "communication_preferences", "marketing_consent_at", "marketing_consent_withdrawn_at", "visit_count",
    "total_spent", "first_visit_at", "last_visit_at", "created_at", "updated_at",
)
CUSTOMER_OBJECT_TYPES = ("customer", "salon_customer")


def _plain(value):
    """A JSON-able value: dates and datetimes as ISO text (datetimes are UTC)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat() + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _row(record, columns):
    """The named columns of a row as plain values."""
    return {column: _plain(getattr(record, column)) for column in columns}


def _about(salon_id, customer_id):
    """The audit trail's condition for events about one card."""
    return ((AuditEvent.salon == salon_id) & AuditEvent.object_type.in_(CUSTOMER_OBJECT_TYPES)
            & (AuditEvent.object_id == str(customer_id)))


def client_data(salon, customer):
    """Return everything the salon holds about one client as a JSON-able dict."""
    mine = {"salon": salon.id, "customer": customer.id}
    sales = list(Sale.in_salon(salon).where(Sale.customer == customer.id).order_by(Sale.sold_at, Sale.id))
    items = {}
    if sales:
        for item in SaleItem.in_salon(salon).where(SaleItem.sale.in_([s.id for s in sales])).order_by(SaleItem.id):
            items.setdefault(item.sale_id, []).append(
                {"description": item.description, "quantity": item.quantity, "unit_price": item.unit_price})
    tags = Tag.in_salon(salon, Tag.name).join(CustomerTag, on=(CustomerTag.tag == Tag.id)).where(
        (CustomerTag.salon == salon.id) & (CustomerTag.customer == customer.id)).order_by(Tag.name)
    return {
        "format": "salon_web client data 1",
        "exported_at": _plain(utcnow()),
        "salon": {"id": salon.id, "name": salon.name, "currency": salon.currency,
                  "note": "Amounts are integers in the currency's minor units; times are UTC."},
        "customer": {**_row(customer, CARD_COLUMNS), "forgotten_at": _plain(customer.forgotten_at)},
        "tags": [tag.name for tag in tags],
        "sales": [{**_row(sale, ("id", "sold_at", "total", "status", "voided_at", "void_reason")),
                   "appointment_id": sale.appointment_id, "items": items.get(sale.id, [])} for sale in sales],
        "appointments": [
            {**_row(a, ("id", "service_name", "price", "scheduled_at", "duration_minutes", "status", "completed_at")),
             "employee_id": getattr(a, Appointment.employee.object_id_name)}
            for a in Appointment.in_salon(salon).where(Appointment.customer == customer.id)
            .order_by(Appointment.scheduled_at, Appointment.id)],
        "communications": [
            _row(c, ("id", "type", "purpose", "status", "subject", "message", "recipient", "metadata", "created_at"))
            for c in CustomerCommunication.in_salon(salon).where(CustomerCommunication.customer == customer.id)
            .order_by(CustomerCommunication.created_at, CustomerCommunication.id)],
        "visits": [
            _row(v, ("id", "occurred_at", "amount", "source_type", "source_id"))
            for v in Visit.in_salon(salon).where(Visit.customer == customer.id).order_by(Visit.occurred_at, Visit.id)],
        "history": [
            _row(e, ("at", "action", "detail"))
            for e in AuditEvent.select().where(_about(mine["salon"], mine["customer"])).order_by(AuditEvent.at, AuditEvent.id)],
    }


def record_data_export(salon, customer, *, user=None, ip=None):
    """Audit that a client's data was downloaded (no personal data in the record)."""
    audit.record("customer.data_export", salon=salon.id, user=user, ip=ip, object_type="customer",
                 object_id=customer.id)


def forget_client(salon, customer, *, confirmed, user=None, ip=None):
    """Erase a client's personal data, keep their sales anonymised; return the card; raise FieldErrors unless confirmed."""
    if not confirmed:
        raise FieldErrors({"confirm": _l("Tick the box to confirm: this cannot be undone.")})
    now = utcnow()
    with db.atomic():
        lock_customer(salon.id, customer.id)
        mine = (SalonCustomer.salon == salon.id) & (SalonCustomer.id == customer.id)
        SalonCustomer.update(
            identity=identity_for_phone(None), full_name=FORGOTTEN_NAME, name_search="", phone=None, phone_e164=None,
            email=None, birthday=None, notes="", preferences={}, follow_up_on=None, communication_preferences=[],
            marketing_consent_at=None, marketing_consent_withdrawn_at=None, forgotten_at=fn.COALESCE(
                SalonCustomer.forgotten_at, now), version=SalonCustomer.version + 1, updated_at=now,
        ).where(mine).execute()
        CustomerCommunication.update(subject="", message="", recipient="", metadata={}).where(
            (CustomerCommunication.salon == salon.id) & (CustomerCommunication.customer == customer.id)).execute()
        CustomerTag.delete().where((CustomerTag.salon == salon.id) & (CustomerTag.customer == customer.id)).execute()
        kept = Sale.update(void_reason=None).where(
            (Sale.salon == salon.id) & (Sale.customer == customer.id) & Sale.void_reason.is_null(False)).execute()
        # Cards merged into this one were the same person: their history goes too, with the merge snapshots.
        merged_ids = [merged for (merged,) in CustomerMerge.in_salon(salon, CustomerMerge.merged_id).where(
            CustomerMerge.survivor_id == customer.id).tuples()]
        for card_id in [customer.id, *merged_ids]:
            AuditEvent.update(detail={"erased": "the client asked to be forgotten"}).where(
                _about(salon.id, card_id)).execute()
        CustomerMerge.delete().where((CustomerMerge.salon == salon.id) & (
            (CustomerMerge.survivor_id == customer.id) | (CustomerMerge.merged_id == customer.id))).execute()
        sales = Sale.in_salon(salon, fn.COUNT(Sale.id)).where(Sale.customer == customer.id).scalar()
        audit.record("customer.forgotten", salon=salon.id, user=user, ip=ip, object_type="customer",
                     object_id=customer.id, detail={"sales_kept": sales, "void_reasons_erased": kept})
    return SalonCustomer.get_in_salon(salon, customer.id)
