"""Every message in French and Kinyarwanda: nothing missing, nothing fuzzy, placeholders kept."""
import re
from decimal import Decimal

import pytest
from markupsafe import Markup

from salon_web.translations import TRANSLATED, read_catalogue, source_messages

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _msgid(message):
    return message.id if isinstance(message.id, str) else tuple(message.id)


@pytest.fixture(scope="module")
def wanted():
    return source_messages()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language, wanted):
    catalogue = read_catalogue(language)
    present = {_msgid(m): m for m in catalogue if m.id}
    missing = sorted(str(m) for m in wanted if m not in present)
    untranslated = sorted(str(k) for k, m in present.items() if k in wanted and not all(m.string if isinstance(m.string, tuple) else (m.string,)))
    fuzzy = sorted(str(k) for k, m in present.items() if k in wanted and m.fuzzy)
    assert not missing, f"{language}: {len(missing)} messages missing (run `make messages`): {missing[:20]}"
    assert not untranslated, f"{language}: {len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy: {fuzzy[:20]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for message in read_catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        wrong += [ids[0] for s in strings if s and set(PLACEHOLDER.findall(s)) - expected]
        if len(ids) == 1 and strings[0] and set(PLACEHOLDER.findall(strings[0])) != expected:
            wrong.append(ids[0])
    assert not wrong, f"{language}: placeholders differ in {sorted(set(wrong))[:20]}"


def _in_french(app, source):
    """A template rendered as a French-speaking request's page would be."""
    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        return render_template_string(source)


def test_template_gettext_matches_jinja_newstyle(app):
    """The one-call template gettext escapes variables, keeps the translation's markup and fills num by default."""
    page = _in_french(
        app, '{{ _("a %(string)s", string="<x>") }}|{{ ngettext("%(num)s sale", "%(num)s sales", 3, num="3,000") }}|'
             '{{ ngettext("%(num)d visit", "%(num)d visits", 1) }}|{{ _("Customers") }}')
    assert page == "a &lt;x&gt;|3,000 ventes|1 visite|Clients"


def test_gettext_pattern_is_filled_like_gettext(app):
    """A pattern translated once and filled per row gives what gettext gives: the translation, values escaped."""
    page = _in_french(
        app, '{% set word = gettext_pattern("Select %(name)s") %}{{ word % {"name": "<x>"} }}|'
             '{{ _("Select %(name)s", name="<x>") }}|{{ gettext_pattern("%(days)s d") % {"days": 3} }}')
    assert page == "Sélectionner &lt;x&gt;|Sélectionner &lt;x&gt;|3 j"


@pytest.mark.parametrize("pattern, variables", [
    ("a %(x)s b", {"x": "<i>&\"'"}),
    ("%(x)s", {"x": Markup("<b>kept</b>")}),
    ("%(n)d visits, %(s)s", {"n": 3, "s": 4}),
    ("%(n)d", {"n": "12"}),  # text for %d: Markup's own way converts it
    ("%(price)s at %(rate).1f%%", {"price": Decimal("1.50"), "rate": 2.25}),
    ("%(none)s|%(flag)s", {"none": None, "flag": True}),
    ("100%% %(x)s", {"x": "<"}),
])
def test_fill_formats_exactly_as_markup_does(pattern, variables):
    from salon_web.i18n import fill

    assert fill(pattern, variables) == Markup(pattern) % variables
    assert isinstance(fill(pattern, variables), Markup)
