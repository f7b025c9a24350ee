"""The owners' front-desk settings form (issue 15): payment methods offered, the no-show warning threshold."""
from salon_web.services.front_desk import MAX_WARNING
from salon_web.services.field_errors import FieldErrors
from salon_web.services.money import InvalidAmount, parse_money
from salon_web.texts import _l


def parse_settings(formdata):
    """Return update_settings' keyword values from the posted form; FieldErrors for what cannot be read."""
    text = (formdata.get("no_show_warning") or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        raise FieldErrors({"no_show_warning": _l("Enter a whole number from 1 to %(most)s.", most=MAX_WARNING)})
    return {"methods": formdata.getlist("payment_methods")[:20], "no_show_warning": int(text)}


def parse_service(formdata, currency):
    """Return save_service's keyword values from a posted service form; FieldErrors for what cannot be read."""
    errors, values = {}, {"name": (formdata.get("name") or "")[:200], "category": (formdata.get("category") or "")[:200],
                          "active": formdata.get("active") == "yes"}
    duration = (formdata.get("duration_minutes") or "60").strip()
    if duration.isascii() and duration.isdigit() and len(duration) <= 4:
        values["duration_minutes"] = int(duration)
    else:
        errors["duration_minutes"] = _l("Enter whole minutes.")
    try:
        values["price"] = parse_money((formdata.get("price") or "0").strip() or "0", currency)
    except InvalidAmount as error:
        errors["price"] = str(error)
    if errors:
        raise FieldErrors(errors)
    return values
