"""The Messages area's forms: strings in, typed values out (the services apply the rules)."""
import datetime

from salon_web.services.clock import parse_local_datetime
from salon_web.services.messages.settings import SettingsChange
from salon_web.texts import _l

NO_MOMENT = _l("Enter a date and time, or send now.")


def minutes_of(text):
    """Minutes after midnight of "HH:MM", or None."""
    try:
        moment = datetime.time.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return moment.hour * 60 + moment.minute


def whole(text):
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def settings_change(form):
    """Return the SettingsChange the settings form asks for."""
    return SettingsChange(
        language=form.get("language"), quiet_start=minutes_of(form.get("quiet_start")),
        quiet_end=minutes_of(form.get("quiet_end")), marketing_cap=whole(form.get("marketing_cap")),
        cap_days=whole(form.get("cap_days")), automations=tuple(form.getlist("automations")))


def clock_text(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def send_at(form, timezone):
    """Return (naive UTC or None, error or None) of the campaign's "send at" (salon time; empty: now)."""
    if form.get("when") != "later":
        return None, None
    try:
        moment = parse_local_datetime(form.get("send_at"), timezone)
    except ValueError:
        return None, NO_MOMENT
    if moment is None:
        return None, NO_MOMENT
    return moment, None
