"""Every page a salon owner can open speaks French and Kinyarwanda: no English word of the catalogue is left.

The English words are those of the source messages (the `en` catalogue) that the translation never uses, so cognates
("Date", "Notes", "Total") and names do not count; a word found on a page in French or Kinyarwanda is text that
escaped a translation call or a message left untranslated.
"""
import re
from html.parser import HTMLParser

import pytest

from salon_web.i18n import LANGUAGES
from salon_web.translations import TRANSLATED, read_catalogue, source_messages
from tests.access import all_routes
from tests.test_access_matrix import _placeholders

# Not words of the interface: placeholders, tags, entities, and identifiers (query strings, URLs, file names).
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|<[^>]+>|&\w+;|\S*[=/]\S*|\S+\.(?:csv|xlsx|vcf)\b")
WORD = re.compile(r"[A-Za-z][a-z']{2,}")
READ_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt", "data-confirm", "hx-confirm"}


def words(text):
    return {w.lower().strip("'") for w in WORD.findall(PLACEHOLDER.sub(" ", text))}


def english_only(language):
    source = set()
    for message in source_messages():
        for part in (message if isinstance(message, tuple) else (message,)):
            source |= words(part)
    translated = set()
    for message in read_catalogue(language):
        for part in (message.string if isinstance(message.string, tuple) else (message.string,)):
            translated |= words(part or "")
    return source - translated


class VisibleText(HTMLParser):
    """The words a person reads or a screen reader speaks: text, and the attributes read aloud."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _context(text, word):
    """The leaked word with a few words around it, to find it in the template."""
    match = re.search(rf"(?i)\b{re.escape(word)}\b", text)
    return " ".join(text[max(0, match.start() - 40):match.end() + 40].split()) if match else word


def html_pages(client, world):
    values = _placeholders(world)
    for route in all_routes():
        if route.method != "GET" or route.owner != 200 or route.path.startswith("/api/"):
            continue
        yield route.path.format(**values)


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_word_on_any_page(client, world, login_as, language):
    world.salon.language = language  # the clients' pages (unsubscribe, feedback) and message wording follow it
    world.salon.save()
    login_as("owner")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    english = english_only(language)
    data = [c.full_name for c in world.__dict__.values() if hasattr(c, "full_name")]
    data += [f"{u.name} {u.email}" for u in world.users.values()] + list(LANGUAGES.values())  # names as typed
    data_words = words(" ".join(data))
    leaks = {}
    for path in html_pages(client, world):
        response = client.get(path)
        if not response.mimetype == "text/html":
            continue
        parser = VisibleText()
        parser.feed(response.get_data(as_text=True))
        text = " ".join(parser.parts)
        found = (words(text) & english) - data_words
        if found:
            leaks[path] = [_context(text, word) for word in sorted(found)[:8]]
    assert not leaks, f"English words on {language} pages: {leaks}"
