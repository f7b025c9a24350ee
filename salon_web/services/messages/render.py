"""Message wording: the built-in templates (en/fr/rw), a whitelist placeholder renderer, SMS length and segments.

Salon staff write templates, so a template is plain text with `{name}` placeholders from PLACEHOLDERS and
nothing else: no expressions, no attribute access, no Jinja. An unknown placeholder is refused when saved.
"""
import math
import re

from salon_web.texts import _l

PLACEHOLDERS = {
    "first_name": _l("The client's first name"),
    "full_name": _l("The client's full name"),
    "salon_name": _l("The salon's name"),
    "appointment_date": _l("The appointment's date (salon time)"),
    "appointment_time": _l("The appointment's time (salon time)"),
    "service": _l("The appointment's service"),
    "unsubscribe_link": _l("One-click unsubscribe link (added to every marketing message)"),
    "feedback_link": _l("The feedback page's link"),
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

# Template purposes -> the purpose recorded in the communication history; marketing ones need consent.
PURPOSES = {
    "birthday": "birthday",
    "anniversary": "anniversary",
    "win_back": "marketing",
    "marketing": "marketing",
    "follow_up": "follow_up",
    "appointment_reminder": "appointment_reminder",
    "appointment_confirmation": "appointment_confirmation",
    "feedback": "feedback",
}
MARKETING = {"birthday", "anniversary", "win_back", "marketing"}
PURPOSE_LABELS = {
    "birthday": _l("Birthday"), "anniversary": _l("First-visit anniversary"),
    "win_back": _l("Win-back (overdue by rhythm)"), "marketing": _l("Campaign"), "follow_up": _l("Follow-up due"),
    "appointment_reminder": _l("Appointment reminder (24 h)"), "appointment_confirmation": _l("Appointment confirmation"),
    "feedback": _l("Feedback request"),
}
LANGUAGE_LABELS = {"en": "English", "fr": "Français", "rw": "Ikinyarwanda"}  # each in its own language
# Outbound message statuses (stored values) -> what staff read.
STATUS_LABELS = {
    "queued": _l("queued"), "sending": _l("sending"), "sent": _l("sent"), "failed": _l("failed"),
    "deferred": _l("deferred"), "skipped": _l("skipped"), "stopped": _l("stopped"),
}
# Campaign statuses (stored values) -> what staff read.
CAMPAIGN_STATUS_LABELS = {
    "draft": _l("draft"), "scheduled": _l("scheduled"), "sending": _l("sending"), "done": _l("done"),
    "stopped": _l("stopped"),
}

DEFAULTS = {
    "birthday": {
        "en": ("Happy birthday from {salon_name}", "Happy birthday, {first_name}! Everyone at {salon_name} wishes you a wonderful day."),
        "fr": ("Joyeux anniversaire de la part de {salon_name}", "Joyeux anniversaire, {first_name} ! Toute l'équipe de {salon_name} vous souhaite une belle journée."),
        "rw": ("Isabukuru nziza ya {salon_name}", "Isabukuru nziza, {first_name}! Twese muri {salon_name} tukwifurije umunsi mwiza."),
    },
    "anniversary": {
        "en": ("A year with {salon_name}", "{first_name}, it has been another year since your first visit to {salon_name}. Thank you for your trust!"),
        "fr": ("Une année de plus avec {salon_name}", "{first_name}, une année de plus depuis votre première visite chez {salon_name}. Merci de votre confiance !"),
        "rw": ("Undi mwaka na {salon_name}", "{first_name}, hashize undi mwaka uje bwa mbere muri {salon_name}. Murakoze kutugirira icyizere!"),
    },
    "win_back": {
        "en": ("We miss you at {salon_name}", "{first_name}, we miss you at {salon_name}! Book your next visit whenever suits you."),
        "fr": ("Vous nous manquez chez {salon_name}", "{first_name}, vous nous manquez chez {salon_name} ! Réservez votre prochaine visite quand vous voulez."),
        "rw": ("Turagukumbuye muri {salon_name}", "{first_name}, turagukumbuye muri {salon_name}! Fata gahunda y'uruzinduko rwawe igihe ubishakiye."),
    },
    "marketing": {
        "en": ("News from {salon_name}", "{first_name}, news from {salon_name}."),
        "fr": ("Des nouvelles de {salon_name}", "{first_name}, des nouvelles de {salon_name}."),
        "rw": ("Amakuru ya {salon_name}", "{first_name}, amakuru ya {salon_name}."),
    },
    "follow_up": {
        "en": ("{salon_name}: time for your next visit", "Hello {first_name}, it is time for your next visit at {salon_name}. Reply or call us to book."),
        "fr": ("{salon_name} : c'est le moment de revenir", "Bonjour {first_name}, c'est le moment de votre prochaine visite chez {salon_name}. Répondez ou appelez-nous pour réserver."),
        "rw": ("{salon_name}: igihe cyo kugaruka", "Muraho {first_name}, igihe cyo kugaruka muri {salon_name} kirageze. Dusubize cyangwa uduhamagare."),
    },
    "appointment_reminder": {
        "en": ("Reminder: {service} tomorrow at {appointment_time}", "Hello {first_name}, a reminder of your {service} at {salon_name} on {appointment_date} at {appointment_time}."),
        "fr": ("Rappel : {service} demain à {appointment_time}", "Bonjour {first_name}, nous vous rappelons votre rendez-vous {service} chez {salon_name} le {appointment_date} à {appointment_time}."),
        "rw": ("Kwibutsa: {service} ejo saa {appointment_time}", "Muraho {first_name}, turakwibutsa gahunda yawe ya {service} muri {salon_name} ku wa {appointment_date} saa {appointment_time}."),
    },
    "appointment_confirmation": {
        "en": ("Booked: {service} on {appointment_date}", "Hello {first_name}, your {service} at {salon_name} is booked for {appointment_date} at {appointment_time}."),
        "fr": ("Réservé : {service} le {appointment_date}", "Bonjour {first_name}, votre rendez-vous {service} chez {salon_name} est réservé le {appointment_date} à {appointment_time}."),
        "rw": ("Byemejwe: {service} ku wa {appointment_date}", "Muraho {first_name}, gahunda yawe ya {service} muri {salon_name} yemejwe ku wa {appointment_date} saa {appointment_time}."),
    },
    "feedback": {
        "en": ("How was your visit to {salon_name}?", "Thank you for visiting {salon_name}, {first_name}! How was it? Tell us in one tap: {feedback_link}"),
        "fr": ("Comment s'est passée votre visite chez {salon_name} ?", "Merci de votre visite chez {salon_name}, {first_name} ! Votre avis en un clic : {feedback_link}"),
        "rw": ("Uruzinduko rwawe muri {salon_name} rwagenze rute?", "Murakoze gusura {salon_name}, {first_name}! Tubwire uko byagenze: {feedback_link}"),
    },
}
UNSUBSCRIBE_LINE = {
    "en": "Stop these messages: {unsubscribe_link}",
    "fr": "Ne plus recevoir ces messages : {unsubscribe_link}",
    "rw": "Hagarika ubu butumwa: {unsubscribe_link}",
}


def placeholders_in(text):
    """Return the placeholder names used in `text`."""
    return set(_PLACEHOLDER.findall(text or ""))


def unknown_placeholders(text):
    """Return the placeholders in `text` that the renderer does not know, sorted."""
    return sorted(placeholders_in(text) - PLACEHOLDERS.keys())


def render(text, values):
    """Return `text` with each known placeholder replaced by its value; anything else is left as typed."""

    def replace(match):
        name = match.group(1)
        if name in PLACEHOLDERS and name in values:
            return str(values[name])
        return match.group(0)

    return _PLACEHOLDER.sub(replace, text or "")


def first_name(full_name):
    """The first word of a name (the whole name when it has one word)."""
    words = (full_name or "").split()
    return words[0] if words else ""


# GSM 03.38: the basic set, and the extension table whose characters cost two septets.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_length(text):
    """Return (encoding, units, segments) of an SMS: GSM-7 septets or UCS-2 code units, and the parts it takes."""
    text = text or ""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        units = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        single, part = 160, 153
        encoding = "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
        encoding = "UCS-2"
    segments = 1 if units <= single else math.ceil(units / part)
    return encoding, units, segments
