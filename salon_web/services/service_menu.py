"""The salon's service menu (issue 15): owners keep it; booking and sale lines pick from it by name.

Free text stays allowed: a booking's service or a sale line's description that is the name of one of the salon's
active services (compared folded: case, accents and spaces ignored) is linked to it (`service_id`), any other text
is kept as typed with no link. Lines typed before the menu existed keep working and simply have no service.
"""
import datetime

from peewee import JOIN, fn

from salon_web.models import Appointment, Sale, SaleItem, Service, utcnow
from salon_web.models.appointments import COMPLETED as APPOINTMENT_COMPLETED
from salon_web.models.sales import COMPLETED
from salon_web.services.field_errors import FieldErrors
from salon_web.services.text import fold
from salon_web.texts import _l

MAX_NAME = 100
MAX_CATEGORY = 60
MAX_PRICE = 10**12
MAX_SERVICE_DAYS = 3650


def menu(salon, *, active_only=False):
    """Return the salon's services by category then name."""
    query = Service.in_salon(salon)
    if active_only:
        query = query.where(Service.active == True)  # noqa: E712 (peewee expression)
    return list(query.order_by(Service.category, Service.name_key, Service.id))


def menu_names(salon):
    """Return the names of the salon's active services, for the forms' suggestions."""
    query = Service.in_salon(salon, Service.name).where(Service.active == True)  # noqa: E712
    return [name for (name,) in query.order_by(Service.name_key).tuples()]


def save_service(salon, *, name, category="", duration_minutes=60, price=0, active=True, service=None):
    """Create a service, or update `service`; return it. FieldErrors when refused (e.g. a name already on the menu)."""
    name, category = " ".join((name or "").split()), " ".join((category or "").split())
    errors = {}
    if not name:
        errors["name"] = _l("Enter the service's name, e.g. Box braids.")
    elif len(name) > MAX_NAME:
        errors["name"] = _l("Keep the name under %(count)s characters.", count=MAX_NAME)
    if len(category) > MAX_CATEGORY:
        errors["category"] = _l("Keep the category under %(count)s characters.", count=MAX_CATEGORY)
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 720:
        errors["duration_minutes"] = _l("Enter a duration between %(least)s and %(most)s minutes.", least=5, most=720)
    if not isinstance(price, int) or not 0 <= price <= MAX_PRICE:
        errors["price"] = _l("Enter a price of zero or more.")
    key = fold(name)
    if "name" not in errors:
        same = Service.in_salon(salon).where(Service.name_key == key)
        if service is not None:
            same = same.where(Service.id != service.id)
        if same.exists():
            errors["name"] = _l("That service is already on the menu.")
    if errors:
        raise FieldErrors(errors)
    values = dict(name=name, name_key=key, category=category, duration_minutes=duration_minutes, price=price,
                  active=bool(active))
    if service is None:
        return Service.create(salon=salon, **values)
    Service.update(values).where((Service.salon == salon) & (Service.id == service.id)).execute()
    return Service.get_in_salon(salon, service.id)


def find_by_names(salon, names):
    """Return {folded name: active Service} for those of `names` on the salon's menu, in one query."""
    keys = {fold(name) for name in names if name}
    if not keys:
        return {}
    query = Service.in_salon(salon).where((Service.active == True) & Service.name_key.in_(list(keys)))  # noqa: E712
    return {service.name_key: service for service in query}


def menu_service_id(salon_id, name_key):
    """A scalar subquery: the id of the salon's active service with this folded name, or NULL (for an INSERT)."""
    return (Service.select(Service.id)
            .where((Service.salon == salon_id) & (Service.name_key == name_key) & (Service.active == True)))  # noqa: E712


def service_for(services, text):
    """The Service `text` names in a find_by_names result, or None."""
    return services.get(fold(text or ""))


def had_service(salon, service_id, days, now=None):
    """A subquery of the ids of the salon's clients who had the service in the last `days` days.

    Had = a completed appointment for it, or a completed sale with a line of it.
    """
    since = (now or utcnow()) - datetime.timedelta(days=days)
    booked = (Appointment.select(Appointment.customer)
              .where((Appointment.salon == salon) & (Appointment.service == service_id)
                     & (Appointment.scheduled_at >= since) & (Appointment.status == APPOINTMENT_COMPLETED)))
    sold = (SaleItem.select(Sale.customer)
            .join(Sale, on=((Sale.id == SaleItem.sale) & (Sale.salon == SaleItem.salon)))
            .where((SaleItem.salon == salon) & (SaleItem.service == service_id) & (Sale.salon == salon)
                   & (Sale.sold_at >= since) & (Sale.status == COMPLETED) & Sale.customer.is_null(False)))
    return booked | sold


def revenue_by_service(salon, start, end):
    """Return [(service name or None for free text, revenue, clients)] of completed sale lines sold in [start, end).

    Most revenue first; free-text lines (no service) are one row at the end.
    """
    revenue = fn.SUM(SaleItem.quantity * SaleItem.unit_price)
    query = (SaleItem.select(Service.name, revenue.alias("revenue"), fn.COUNT(fn.DISTINCT(Sale.customer)).alias("clients"))
             .join(Sale, on=((Sale.id == SaleItem.sale) & (Sale.salon == SaleItem.salon)))
             .join(Service, JOIN.LEFT_OUTER, on=((Service.id == SaleItem.service) & (Service.salon == SaleItem.salon)))
             .where((SaleItem.salon == salon) & (Sale.salon == salon) & (Sale.status == COMPLETED)
                    & (Sale.sold_at >= start) & (Sale.sold_at < end))
             .group_by(Service.id, Service.name))
    return by_revenue([(name, int(total or 0), clients) for name, total, clients in query.tuples()])


def by_revenue(rows):
    """(name or None, revenue, clients) rows, most revenue first, the free-text row (None) last."""
    named = sorted((row for row in rows if row[0] is not None), key=lambda row: (-row[1], row[0]))
    return named + [row for row in rows if row[0] is None]
