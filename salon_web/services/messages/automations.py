"""Automations: each switched on per salon, each queueing one message per customer per occasion when it is due.

- birthday, first-visit anniversary, follow-up due, win-back (overdue by their own rhythm): from 09:00 salon
  time on the day (29 February birthdays and first visits are celebrated on 28 February in other years);
- appointment reminder: once the appointment is less than 24 h away (unless booked less than 12 h before it: the
  confirmation is reminder enough);
- appointment confirmation: for appointments booked in the last 24 h that are still ahead;
- feedback request: 2 h after a visit (within 2 days), with a signed link to the rating page.
Running it twice for one moment queues nothing new (the unique occasion key); delivery then claims what is due.
"""
import datetime

from salon_web.models import Appointment, Salon, SalonCustomer, Visit
from salon_web.models.appointments import CONFIRMED, SCHEDULED
from salon_web.models.messages import LANGUAGES, MessageSettings
from salon_web.services.clock import local_today, to_local, to_utc
from salon_web.services.messages.delivery import deliver_due, queue_messages
from salon_web.services.messages.rules import AUTOMATIONS, choose_channel, recipient_for, settings_for
from salon_web.services.messages.templates import compose, placeholder_values, template_for
from salon_web.services.reminders import _anniversary_ranges, _month_day_keys, overdue_by_rhythm
from salon_web.sql_dialect import month_day
from salon_web.texts import _l

MORNING = datetime.time(9, 0)
FEEDBACK_DELAY = datetime.timedelta(hours=2)
FEEDBACK_WINDOW = datetime.timedelta(days=2)
DAY = datetime.timedelta(hours=24)
REMINDER_MIN_LEAD = datetime.timedelta(hours=12)
LABELS = {
    "birthday": _l("Birthday message on the day, 09:00"),
    "anniversary": _l("First-visit anniversary, 09:00"),
    "follow_up": _l("Follow-up due, 09:00 on the follow-up date"),
    "win_back": _l("Win-back: overdue by their own rhythm, 09:00"),
    "appointment_reminder": _l("Appointment reminder 24 h before"),
    "appointment_confirmation": _l("Appointment confirmation on booking"),
    "feedback": _l("Feedback request 2 h after a visit"),
}


def _morning_day(salon, now):
    """The salon's local date when it is 09:00 or later there, else None (morning messages wait)."""
    local = to_local(now, salon.timezone)
    return local.date() if local.time() >= MORNING else None


def _customers(salon, ids):
    return {c.id: c for c in SalonCustomer.in_salon(salon).where(SalonCustomer.id.in_(list(ids)))} if ids else {}


def birthday_occasions(salon, now):
    day = _morning_day(salon, now)
    if day is None:
        return []
    keys = list(_month_day_keys([day]))
    rows = SalonCustomer.in_salon(salon).where(
        SalonCustomer.birthday.is_null(False) & month_day(SalonCustomer.birthday).in_(keys))
    return [(customer, day.isoformat(), None) for customer in rows]


def anniversary_occasions(salon, now):
    day = _morning_day(salon, now)
    if day is None:
        return []
    ranges, _ = _anniversary_ranges((day,), salon.timezone)
    if not ranges:
        return []
    condition = None
    for start, end in ranges:
        part = (SalonCustomer.first_visit_at >= start) & (SalonCustomer.first_visit_at < end)
        condition = part if condition is None else condition | part
    found = []
    for customer in SalonCustomer.in_salon(salon).where(condition):
        first = to_local(customer.first_visit_at, salon.timezone).date()
        if (first.month, first.day) == (day.month, day.day) or (
                (first.month, first.day) == (2, 29) and (day.month, day.day) == (2, 28)):
            found.append((customer, day.isoformat(), None))
    return found


def follow_up_occasions(salon, now):
    day = _morning_day(salon, now)
    if day is None:
        return []
    return [(c, day.isoformat(), None) for c in SalonCustomer.in_salon(salon).where(SalonCustomer.follow_up_on == day)]


def win_back_occasions(salon, now):
    if _morning_day(salon, now) is None:
        return []
    overdue, _ = overdue_by_rhythm(salon, now, limit=None)
    customers = _customers(salon, [c.id for c in overdue])
    # One win-back per lapse: the occasion is the last visit it follows.
    return [(customers[c.id], "after:" + c.last_visit_at.date().isoformat(), None) for c in overdue if c.id in customers]


def _appointments(salon, condition):
    appointments = list(Appointment.in_salon(salon).where(Appointment.status.in_([SCHEDULED, CONFIRMED]) & condition))
    customers = _customers(salon, {a.customer_id for a in appointments})
    return [(customers[a.customer_id], f"appointment:{a.id}", a) for a in appointments if a.customer_id in customers]


def reminder_occasions(salon, now):
    return [o for o in _appointments(salon, (Appointment.scheduled_at > now) & (Appointment.scheduled_at <= now + DAY))
            if o[2].created_at <= o[2].scheduled_at - REMINDER_MIN_LEAD]


def confirmation_occasions(salon, now):
    return _appointments(salon, (Appointment.scheduled_at > now) & (Appointment.created_at >= now - DAY)
                         & (Appointment.created_at <= now))


def feedback_occasions(salon, now):
    visits = list(Visit.in_salon(salon).where((Visit.occurred_at <= now - FEEDBACK_DELAY)
                                              & (Visit.occurred_at > now - FEEDBACK_WINDOW)))
    customers = _customers(salon, {v.customer_id for v in visits})
    return [(customers[v.customer_id], f"visit:{v.id}", None) for v in visits if v.customer_id in customers]


FINDERS = {
    "birthday": birthday_occasions,
    "anniversary": anniversary_occasions,
    "follow_up": follow_up_occasions,
    "win_back": win_back_occasions,
    "appointment_reminder": reminder_occasions,
    "appointment_confirmation": confirmation_occasions,
    "feedback": feedback_occasions,
}


def language_of(customer, settings):
    """The customer's own language when the card names one (preferences["language"]), else the salon's."""
    preferred = (customer.preferences or {}).get("language") if isinstance(customer.preferences, dict) else None
    return preferred if preferred in LANGUAGES else settings.language


def message_rows(salon, settings, purpose, occasions, now, config, *, source=None):
    """Return the outbound rows for (customer, occasion, appointment) triples this purpose can reach."""
    wordings, rows = {}, []
    for customer, occasion, appointment in occasions:
        channel, _ = choose_channel(customer, purpose)
        if channel is None:
            continue
        language = language_of(customer, settings)
        if language not in wordings:
            wordings[language] = template_for(salon, purpose, language)
        values = placeholder_values(salon, customer, config=config, appointment=appointment,
                                    occasion=occasion if purpose == "feedback" else None)
        subject, body = compose(wordings[language], purpose, language, values)
        rows.append({"salon": salon.id, "customer": customer.id, "source": source or f"auto:{purpose}",
                     "occasion": occasion, "purpose": purpose, "channel": channel,
                     "recipient": recipient_for(customer, channel), "subject": subject, "body": body,
                     "send_after": now})
    return rows


def queue_automations(salon, settings, now, config):
    """Queue what the salon's switched-on automations intend at `now`; return {automation: new messages}."""
    queued = {}
    for name in AUTOMATIONS:
        if name in (settings.automations or []):
            rows = message_rows(salon, settings, name, FINDERS[name](salon, now), now, config)
            queued[name] = queue_messages(rows)
    return queued


def run_automations(config, *, at=None, salon_id=None, deliver=True):
    """Queue every salon's due automated messages at `at` (now by default) and send what is due; return a summary."""
    from salon_web.models import utcnow

    now = at or utcnow()
    summary = {"queued": {}, "delivered": {}}
    settings_rows = MessageSettings.select()
    if salon_id is not None:
        settings_rows = settings_rows.where(MessageSettings.salon == salon_id)
    for settings in list(settings_rows):
        if not settings.automations:
            continue
        salon = Salon.get_by_id(settings.salon_id)
        summary["queued"][salon.id] = queue_automations(salon, settings, now, config)
    if deliver:
        summary["delivered"] = deliver_due(config, at=at, salon_id=salon_id)
    return summary


def upcoming_for(salon, customer, now, config, days=7):
    """Return [(when, automation)] the customer will get in the next `days` days from switched-on automations."""
    settings = settings_for(salon)
    enabled = settings.automations or []
    upcoming = []
    today = local_today(salon.timezone, now)
    for offset in range(days + 1):
        day = today + datetime.timedelta(days=offset)
        morning = to_utc(datetime.datetime.combine(day, MORNING), salon.timezone)
        if "birthday" in enabled and customer.birthday and _celebrated(customer.birthday, day):
            upcoming.append((morning, "birthday"))
        if "follow_up" in enabled and customer.follow_up_on == day:
            upcoming.append((morning, "follow_up"))
    if "appointment_reminder" in enabled:
        for appointment in Appointment.in_salon(salon).where(
                (Appointment.customer == customer) & Appointment.status.in_([SCHEDULED, CONFIRMED])
                & (Appointment.scheduled_at > now) & (Appointment.scheduled_at <= now + datetime.timedelta(days=days))):
            if appointment.created_at <= appointment.scheduled_at - REMINDER_MIN_LEAD:
                upcoming.append((max(now, appointment.scheduled_at - DAY), "appointment_reminder"))
    return [(when, name) for when, name in sorted(upcoming) if choose_channel(customer, name)[0] is not None]


def _celebrated(birthday, day):
    if (birthday.month, birthday.day) == (day.month, day.day):
        return True
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    return (birthday.month, birthday.day) == (2, 29) and (day.month, day.day) == (2, 28) and not leap
