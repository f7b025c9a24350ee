"""The message catalogues (fr, rw; English is the source text) and the one way to compile and read them."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGUES = Path(__file__).resolve().parent
SOURCE_ROOT = CATALOGUES.parent.parent
TRANSLATED = ("fr", "rw")
# What `make messages` extracts: keep in step with babel.cfg and the Makefile.
METHOD_MAP = [("salon_web/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "_nl": (1, 2), "N_": None, "gettext_pattern": None}


def po_path(language):
    return CATALOGUES / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(language):
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def source_messages():
    """Every message id the code and templates ask to translate, as {msgid or (singular, plural)}."""
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(SOURCE_ROOT), METHOD_MAP, keywords=KEYWORDS, options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}}
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def compile_catalogues():
    """Write each .mo beside its .po when missing or older (make does this too; the tests call it directly)."""
    for language in TRANSLATED:
        po, mo = po_path(language), po_path(language).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            catalogue = read_catalogue(language)
            with mo.open("wb") as handle:
                write_mo(handle, catalogue)
