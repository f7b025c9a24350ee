"""Follow-up dates: set a date, the quick choices (2 weeks, 1 month, 3 months), clear.

Used by the customer card and by the Today page ("done", "snooze").
"""
import calendar
import datetime

from salon_web.db import db
from salon_web.models import SalonCustomer, utcnow
from salon_web.services import audit
from salon_web.services.customer_edit import OUT_OF_DATE, InvalidEdit, apply_changes
from salon_web.texts import _l

QUICK_CHOICES = {"2w": _l("In 2 weeks"), "1m": _l("In 1 month"), "3m": _l("In 3 months")}
MAX_DAYS_AHEAD = 3 * 366
SNOOZE_DAYS = 7


def add_months(day, months):
    """Return the same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def quick_choice_date(choice, today):
    """Return the date a quick choice stands for, or None for an unknown choice."""
    if choice == "2w":
        return today + datetime.timedelta(days=14)
    if choice == "1m":
        return add_months(today, 1)
    if choice == "3m":
        return add_months(today, 3)
    return None


def parse_follow_up(form, today):
    """Return (date or None, errors) from a form's `quick` choice, `clear` flag or `follow_up_on` date."""
    if form.get("clear"):
        return None, {}
    quick = form.get("quick")
    if quick:
        day = quick_choice_date(quick, today)
        return (day, {}) if day else (None, {"follow_up_on": _l("Choose 2 weeks, 1 month or 3 months.")})
    text = (form.get("follow_up_on") or "").strip()
    if not text:
        return None, {"follow_up_on": _l("Pick a date, a quick choice, or clear.")}
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None, {"follow_up_on": _l("Enter a date such as 2026-12-01.")}
    if day < today - datetime.timedelta(days=1) or day > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        return None, {"follow_up_on": _l("Choose a date from today up to three years ahead.")}
    return day, {}


def set_follow_up(customer, day, *, expected_version=None, basis=None, user=None, ip=None):
    """Set (or with None, clear) the follow-up date; return the fresh customer."""
    return apply_changes(customer, {"follow_up_on": day}, expected_version=expected_version,
                         widget="follow_up", basis=basis, user=user, ip=ip)


def clear_follow_up(customer, *, expected_version=None, user=None, ip=None):
    """Clear the follow-up date (the call was made); return the fresh customer."""
    return set_follow_up(customer, None, expected_version=expected_version, user=user, ip=ip)


def update_follow_up(customer, form, *, today, user=None, ip=None):
    """The card's follow-up widget: validate the form and save with the optimistic check."""
    from salon_web.services.customer_edit import parse_version

    day, errors = parse_follow_up(form, today)
    expected = parse_version(form.get("version"))
    if expected is None and not errors:
        errors = {"version": OUT_OF_DATE}
    if errors:
        raise InvalidEdit(errors, {"follow_up_on": form.get("follow_up_on")})
    return set_follow_up(customer, day, expected_version=expected, basis=form.get("basis"), user=user, ip=ip)


# One-tap actions of the Today page: change only a follow-up that is still pending.


def complete_follow_up(customer, *, user=None, ip=None):
    """Clear the customer's follow-up date; return True if it was set (audited)."""
    return _change_follow_up(customer, None, "customer.follow_up_done", user=user, ip=ip)


def snooze_follow_up(customer, today, *, user=None, ip=None):
    """Move the follow-up to 7 days from today (an overdue one would stay overdue if moved from its date)."""
    return _change_follow_up(
        customer, today + datetime.timedelta(days=SNOOZE_DAYS), "customer.follow_up_snoozed", user=user, ip=ip
    )


def _change_follow_up(customer, new_date, action, *, user, ip):
    """One atomic UPDATE of a still-pending follow-up, plus its audit row; the customer is refreshed."""
    with db.atomic():
        changed = (
            SalonCustomer.update(
                follow_up_on=new_date, version=SalonCustomer.version + 1, updated_at=utcnow(),
            )
            .where(
                (SalonCustomer.id == customer.id)
                & (SalonCustomer.salon == customer.salon_id)
                & SalonCustomer.follow_up_on.is_null(False)
            )
            .execute()
        )
        if changed:
            audit.record(
                action, salon=customer.salon_id, user=user, object_type="salon_customer", object_id=customer.id,
                ip=ip, detail={"follow_up_on": customer.follow_up_on.isoformat() if customer.follow_up_on else None,
                               "new_follow_up_on": new_date.isoformat() if new_date else None},
            )
    customer.follow_up_on = SalonCustomer.in_salon(customer.salon_id, SalonCustomer.follow_up_on).where(
        SalonCustomer.id == customer.id
    ).scalar()
    return bool(changed)
