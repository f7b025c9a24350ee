"""The owners' front-desk settings form (issue 15): payment methods offered, the no-show warning threshold."""
from salon_web.services.front_desk import MAX_WARNING
from salon_web.services.field_errors import FieldErrors


def parse_settings(formdata):
    """Return update_settings' keyword values from the posted form; FieldErrors for what cannot be read."""
    text = (formdata.get("no_show_warning") or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        raise FieldErrors({"no_show_warning": f"Enter a whole number from 1 to {MAX_WARNING}."})
    return {"methods": formdata.getlist("payment_methods")[:20], "no_show_warning": int(text)}
