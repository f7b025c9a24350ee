"""Jinja filters and globals: money, local dates and numbers in the request's language, phones, the salon switcher."""
from flask import g, session
from flask_login import current_user

from salon_web.i18n import LANGUAGES, current_language
from salon_web.kept_urls import url_for
from salon_web.models import Salon
from salon_web.navigation import nav_sections
from salon_web.services import formats
from salon_web.services.clock import days_since, to_local
from salon_web.services.money import format_money_input
from salon_web.services.phones import format_phone
from salon_web.services.salons import first_salons, salons_for
from salon_web.tenancy import MANAGERS

SWITCHER_LIMIT = 8  # beyond this the switcher links to the searchable /salons page


def current_salon():
    """The salon in the URL, else the one last entered, else None."""
    if "salon" in g:
        return g.salon
    salon_id = session.get("salon_id")
    if salon_id and current_user.is_authenticated:
        salon = salons_for(current_user).where(Salon.id == salon_id).first()
        if salon:
            return salon
    return None


def switcher_salons():
    """The first few salons the user may switch to, and whether there are more (read with the session if it could)."""
    salons = getattr(current_user, "switcher_salons", None)
    if salons is None:
        salons = first_salons(current_user, SWITCHER_LIMIT + 1)
    return salons[:SWITCHER_LIMIT], len(salons) > SWITCHER_LIMIT


def local_datetime(moment, salon, style="medium"):
    """A UTC moment as the salon's local date and time: "5 Mar 2026, 14:30"; "day_month": "5 Mar, 14:30"; "time"."""
    local = to_local(moment, salon.timezone)
    if local is None:
        return "—"
    language = current_language()
    if style == "medium":
        return formats.moment(local, language)
    if style == "time":
        return formats.time_of_day(local, language)
    return f"{formats.day(local, style, language)}, {formats.time_of_day(local, language)}"


def local_date(moment, salon, style="medium"):
    """A UTC moment as the salon's local calendar date."""
    return formats.day(to_local(moment, salon.timezone), style, current_language())


# A number no row id will ever be (ids stop at salon_web.ids.MAX_ID), found and replaced in a URL built once.
_ID_MARK = 9_876_543_210_123


def id_url_pattern(endpoint, id_name, **values):
    """`url_for(endpoint, **values, id_name=id)` as a pattern a template fills with `pattern % id` per row: one URL
    build per page, and no function call per row (each costs Jinja a context call)."""
    head, found, tail = url_for(endpoint, **values, **{id_name: _ID_MARK}).partition(str(_ID_MARK))
    if not found:
        raise ValueError(f"{endpoint} does not put {id_name} in its URL")
    return f"{head.replace('%', '%%')}%d{tail.replace('%', '%%')}"


def init_app(app):
    app.jinja_env.filters.update(
        money=lambda amount, salon: formats.money(amount, salon.currency, current_language()),
        money_input=lambda amount, salon: format_money_input(amount, salon.currency),
        local_datetime=local_datetime,
        local_date=local_date,
        phone=lambda e164, salon: format_phone(e164, salon.country),
        days_since=lambda moment, salon: days_since(moment, salon.timezone),
        thousands=lambda number: formats.number(number, current_language()),
        day=lambda value, style="medium": formats.day(value, style, current_language()),
        time_of_day=lambda value: formats.time_of_day(value, current_language()),
        utc_moment=lambda value: formats.moment(value, current_language()),
    )
    app.jinja_env.globals.update(
        current_salon=current_salon,
        switcher_salons=switcher_salons,
        can_manage=lambda: g.get("role") in MANAGERS,
        id_url_pattern=id_url_pattern,
        nav_sections=nav_sections,
        current_language=current_language,
        languages=LANGUAGES,
    )
