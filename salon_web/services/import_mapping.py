"""Which column holds which field: suggestions from header names, and the mapping each salon last used.

Header names are compared folded (lower case, no accents, punctuation as spaces). The built-in names
cover English, French and Kinyarwanda, the client exports of Fresha, Square and Google Contacts, our
own customer CSV export (services/export.py) and the columns import_files gives a vCard.
"""
import re

from salon_web.models import CustomerImportMapping, utcnow
from salon_web.services.text import fold
from salon_web.texts import _l

FIELDS = {
    "full_name": _l("Full name"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "birthday": _l("Birthday"),
    "tags": _l("Tags"),
    "notes": _l("Notes"),
    "marketing_consent": _l("Marketing consent"),
    "visit_date": _l("Visit date (history)"),
    "visit_amount": _l("Visit amount (history)"),
}
IGNORE = ""

_NAMES = {
    "full_name": [
        "name", "full name", "fullname", "client", "customer", "client name", "customer name", "contact name",
        "display name", "nom", "nom complet", "nom et prenom", "nom prenom", "prenom et nom", "client e",
        "izina", "amazina", "izina ryose", "amazina yose", "izina ry umukiriya", "umukiriya",
    ],
    "first_name": ["first name", "firstname", "given name", "first", "prenom", "izina ribanza", "izina bwite"],
    "last_name": [
        "last name", "lastname", "surname", "family name", "last", "nom de famille", "izina ry umuryango",
    ],
    "phone": [
        "phone", "phone number", "mobile", "mobile number", "mobile phone", "cell", "cell phone", "telephone",
        "tel", "telephone number", "phone 1 value", "portable", "numero", "numero de telephone",
        "telephone portable", "tel portable", "mobile number 1", "telefone", "nimero ya telefone",
        "numero ya telefone", "nomero ya telefone", "terefone",
    ],
    "email": [
        "email", "e mail", "email address", "e mail address", "e mail 1 value", "mail", "courriel",
        "adresse email", "adresse e mail", "adresse courriel", "imeri", "imeyili", "aderesi ya imeri",
    ],
    "birthday": [
        "birthday", "birth date", "birthdate", "date of birth", "dob", "anniversaire", "date de naissance",
        "ne e le", "itariki y amavuko", "amavuko", "itariki yavutseho",
    ],
    "tags": [
        "tags", "tag", "labels", "label", "groups", "group", "group membership", "categories", "category",
        "etiquettes", "etiquette", "groupes", "ibirango", "amatsinda", "itsinda",
    ],
    "notes": [
        "notes", "note", "memo", "comments", "comment", "client notes", "remarques", "remarque", "commentaire",
        "commentaires", "ibisobanuro", "icyitonderwa", "inyandiko",
    ],
    "marketing_consent": [
        "marketing consent", "accepts marketing", "accepts email marketing", "email subscription status",
        "marketing", "consent", "newsletter", "opt in", "subscribed", "accepte le marketing",
        "consentement marketing", "consentement", "yemera kwamamaza", "uruhushya rwo kwamamaza",
    ],
    "visit_date": ["visit date", "date of visit", "visit", "date de visite", "date de la visite", "itariki yo gusura",
                   "itariki yaje"],
    "visit_amount": ["visit amount", "amount", "amount paid", "montant", "montant paye", "prix", "amafaranga",
                     "igiciro"],
}
_BY_NAME = {name: field for field, names in _NAMES.items() for name in names}


def header_key(header):
    """Return a header as compared: folded, punctuation as spaces, words single-spaced."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(header)).split())


def remembered(salon):
    """Return the salon's remembered {header key: field} (empty before its first import)."""
    row = CustomerImportMapping.in_salon(salon).first()
    return dict(row.mapping) if row is not None else {}


def suggest(headers, salon=None):
    """Return one field (or IGNORE) per header: the salon's remembered choice, else the built-in names.

    A field other than tags and notes is suggested for its first column only (Google's "Phone 2 - Value"
    stays unmapped); the salon's own earlier choices are repeated as they were.
    """
    memory = remembered(salon) if salon is not None else {}
    taken, fields = set(), []
    for header in headers:
        key = header_key(header)
        if key in memory:
            fields.append(memory[key] if memory[key] in FIELDS else IGNORE)
            continue
        field = _BY_NAME.get(key, IGNORE)
        if field in taken and field not in ("tags", "notes"):
            field = IGNORE
        taken.add(field)
        fields.append(field)
    return fields


def check_mapping(fields, headers):
    """Return the mapping as a list of fields; raise ValueError with what is missing or unknown."""
    if len(fields) != len(headers) or any(f not in FIELDS and f != IGNORE for f in fields):
        raise ValueError(_l("Choose a field (or “ignore”) for every column."))
    chosen = set(fields)
    if not chosen & {"full_name", "first_name", "last_name", "phone", "email"}:
        raise ValueError(_l("Map at least a name, phone or e-mail column."))
    return list(fields)


def remember(salon, headers, fields):
    """Store this mapping as the salon's choice for these header names (merged with earlier ones)."""
    memory = remembered(salon)
    memory.update({header_key(h): f for h, f in zip(headers, fields) if header_key(h)})
    updated = CustomerImportMapping.update(mapping=memory, updated_at=utcnow()).where(
        CustomerImportMapping.salon == salon).execute()
    if not updated:
        CustomerImportMapping.insert(salon=salon, mapping=memory, updated_at=utcnow()).on_conflict_ignore().execute()
