"""24 months of demo sales and appointments, posted through the visit hook so figures equal the ledger.

Customers get a life story: regulars every few weeks, lapsed ones who stopped coming, occasional and
one-time visitors, a few who never came. Visits are appointments (paid with a linked sale, or completed
at their price), walk-in sales, cancellations and no-shows; a few sales are voided and re-entered.
Everything is entered after the fact (back-dated), as a salon importing its history would.
"""
import datetime

from salon_web.models import Membership, SalonCustomer, User, utcnow
from salon_web.models.appointments import CANCELLED, COMPLETED, CONFIRMED, NO_SHOW
from salon_web.services.appointments import book_appointment, change_appointment_status
from salon_web.services.clock import local_today, to_utc
from salon_web.services.money import minor_digits
from salon_web.services.sales import post_sale, void_sale
from salon_web.services.service_menu import save_service

MONTHS = 24
DAYS = MONTHS * 30
# (service, price in RWF-like currencies without minor units, price in major units elsewhere)
SERVICES = [("Haircut", 8000, 35), ("Braids", 25000, 120), ("Colour", 30000, 90), ("Blow-dry", 5000, 30),
            ("Manicure", 7000, 28), ("Treatment", 12000, 45), ("Beard trim", 4000, 20)]
PRODUCTS = [("Shampoo", 6000, 18), ("Hair oil", 9000, 24), ("Conditioner", 7000, 20)]
PAYMENT_MIX = ["mobile_money", "cash", "mobile_money", "card", "cash", "mobile_money", "bank_transfer", "cash",
               "mobile_money", "other"]


def _price(rng, currency, entry):
    """Return a plausible price in minor units for the salon's currency."""
    _, zero_decimal_price, decimal_price = entry
    factor = rng.choice([1, 1, 1.2, 0.8])
    if minor_digits(currency) == 0:
        return int(zero_decimal_price * factor) // 500 * 500
    return int(decimal_price * factor) * 100


def _visit_days(rng, profile):
    """Days ago (0..DAYS) of this customer's visits, oldest first."""
    if profile == "regular":
        day, days = rng.randrange(DAYS - 120, DAYS), []
        while day > 3:
            days.append(day)
            day -= rng.randrange(35, 77)  # every five to eleven weeks
        return days
    if profile == "lapsed":
        stop = rng.randrange(180, 420)
        day, days = rng.randrange(stop + 60, DAYS), []
        while day > stop:
            days.append(day)
            day -= rng.randrange(35, 80)
        return days
    if profile == "occasional":
        return sorted((rng.randrange(1, DAYS) for _ in range(rng.randrange(2, 6))), reverse=True)
    if profile == "once":
        return [rng.randrange(1, DAYS)]
    return []


def seed_activity(salon, rng, *, now=None):
    """Post the salon's history of visits through the hook; return the number of sales posted."""
    now = now or utcnow()
    staff = list(User.select().join(Membership).where(Membership.salon == salon)) or [None]
    _seed_menu(salon)  # before the sales, so their lines link to the menu (issue 15)
    customers = list(SalonCustomer.select().where(SalonCustomer.salon == salon).order_by(SalonCustomer.id))
    today = local_today(salon.timezone, now)
    sales = 0
    for customer in customers:
        profile = rng.choices(["regular", "lapsed", "occasional", "once", "never"], weights=[30, 20, 25, 15, 10])[0]
        favourite = rng.choice(SERVICES)
        for days_ago in _visit_days(rng, profile):
            local = datetime.datetime.combine(today - datetime.timedelta(days=days_ago),
                                              datetime.time(rng.randrange(9, 18), rng.choice([0, 15, 30, 45])))
            at = min(to_utc(local, salon.timezone), now - datetime.timedelta(hours=1))
            service = favourite if rng.random() < 0.7 else rng.choice(SERVICES)
            sales += _one_visit(salon, customer, rng, service, at, rng.choice(staff), now)
        if profile in ("regular", "occasional") and rng.random() < 0.5:
            _upcoming(salon, customer, rng, favourite, rng.choice(staff), today, now)
    return sales


def _seed_menu(salon):
    """The salon's service menu from SERVICES, at list price (no random draw: the demo's story stays the same)."""
    for name, zero_decimal_price, decimal_price in SERVICES:
        price = zero_decimal_price if minor_digits(salon.currency) == 0 else decimal_price * 100
        save_service(salon, name=name, category="Nails" if name == "Manicure" else "Hair", price=price)


def _payment_method(customer, at):
    """How this visit was paid: mostly mobile money and cash, drawn without the rng so the story stays the same."""
    return PAYMENT_MIX[(customer.id * 7 + at.day) % len(PAYMENT_MIX)]


def _one_visit(salon, customer, rng, service, at, employee, now):
    """Post one past visit (walk-in, paid or unpaid appointment, cancellation); return sales posted."""
    name = service[0]
    price = _price(rng, salon.currency, service)
    items = [(name, 1, price)]
    if rng.random() < 0.2:
        product = rng.choice(PRODUCTS)
        items.append((product[0], rng.choice([1, 1, 2]), _price(rng, salon.currency, product)))
    kind = rng.random()
    if kind < 0.35:  # a walk-in: a sale on its own
        sale = post_sale(salon, customer=customer, items=items, sold_at=at, user=employee, now=now,
                         payment_method=_payment_method(customer, at))
        if rng.random() < 0.04:  # typed wrong, voided, entered again
            void_sale(sale, reason="Wrong amount entered", user=employee, now=now)
            post_sale(salon, customer=customer, items=[(name, 1, price)], sold_at=at, user=employee, now=now)
            return 2
        return 1
    appointment = book_appointment(salon, customer=customer, service_name=name, price=price, scheduled_at=at,
                                   employee=employee if employee and rng.random() < 0.8 else None)
    if kind < 0.80:  # paid at the till: the sale completes the appointment, one visit
        post_sale(salon, customer=customer, appointment=appointment, items=items, sold_at=at, user=employee, now=now,
                  payment_method=_payment_method(customer, at))
        return 1
    if kind < 0.92:  # completed without a sale entered: the visit counts its price
        change_appointment_status(appointment, COMPLETED, now=at + datetime.timedelta(hours=1))
        return 0
    change_appointment_status(appointment, rng.choice([CANCELLED, NO_SHOW]), now=at)
    return 0


def _upcoming(salon, customer, rng, service, employee, today, now):
    """Book one upcoming appointment, some of them confirmed."""
    day = today + datetime.timedelta(days=rng.randrange(0, 21))
    local = datetime.datetime.combine(day, datetime.time(rng.randrange(9, 18), rng.choice([0, 30])))
    at = to_utc(local, salon.timezone)
    later_today = now + datetime.timedelta(hours=rng.randrange(1, 6))  # drawn always: same data at any hour
    if at <= now:
        at = later_today
    appointment = book_appointment(salon, customer=customer, service_name=service[0],
                                   price=_price(rng, salon.currency, service), scheduled_at=at, employee=employee)
    if rng.random() < 0.5:
        change_appointment_status(appointment, CONFIRMED, now=now)
