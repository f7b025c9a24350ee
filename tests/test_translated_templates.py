"""Templates compiled per language with their fixed words translated: the same HTML as translating at render time."""
import jinja2
import pytest
from flask import render_template

from salon_web.translated_templates import translate_fixed_words

SOURCE = """{% autoescape true %}
<h1>{{ _("Customers") }}</h1>
<p title="{{ gettext('Tags') }}">{{ pgettext("customer list", "Name") }}</p>
<p>{{ _("Customers · %(salon)s", salon=salon) }} {{ _("50%% off") }}</p>
<p>{{ ngettext("%(num)d visit", "%(num)d visits", count) }}</p>
{% set words = {"never": _("never")} %}{{ words["never"] }}
{% endautoescape %}
{% autoescape false %}{{ _("Customers · %(salon)s", salon=salon) }}{{ _("Tags") }}{% endautoescape %}"""
VALUES = {"salon": "<b>Ana & Co</b>", "count": 3}


def _rendered_at_render_time(environment, source):
    """`source` compiled by Jinja itself, without translating anything early: the gettext globals run per render."""
    code = jinja2.Environment.compile(environment, source)
    return environment.template_class.from_code(environment, code, environment.make_globals(None)).render(**VALUES)


@pytest.mark.parametrize("language", ["en", "fr", "rw"])
def test_fixed_words_give_the_html_that_translating_at_render_time_gives(app, language):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        environment = app.jinja_env
        folded = environment.from_string(SOURCE).render(**VALUES)
        assert folded == _rendered_at_render_time(environment, SOURCE)
        assert "&lt;b&gt;Ana &amp; Co&lt;/b&gt;" in folded and "<b>Ana & Co</b>" in folded  # escaped only under autoescape
        assert "50% off" in folded or language != "en"
    if language == "fr":
        assert "Clients" in folded


def test_a_fixed_word_costs_no_call_at_render_time(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        code = app.jinja_env.compile('<a>{{ _("Customers") }}</a>{{ pgettext("customer list", "Name") }}', raw=True)
    assert "context.call" not in code
    assert "Clients" in code


def test_each_language_keeps_its_own_compiled_template(app):
    """A template file compiled for one language is not served to another (the cache is per language)."""
    seen = {}
    for language in ["en", "fr", "en", "rw", "fr"]:
        with app.test_request_context("/", headers={"Accept-Language": language}):
            page = render_template("errors/error.html", code=404, title="", message="")
            seen.setdefault(language, set()).add(page.split('class="button"')[1].split("</a>")[0])
    assert seen["en"] == {' href="/">Back to the start'}
    assert all(len(links) == 1 for links in seen.values())
    assert len(set.union(*seen.values())) == 3  # three languages, three texts


def test_words_with_a_variable_for_the_text_and_templates_that_bind_the_names_are_left_to_render_time(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        environment = app.jinja_env
        variable_text = environment.compile("{{ _(word) }}", raw=True)
        bound = environment.compile('{% macro m(_) %}{{ _ }}{% endmacro %}{{ gettext("Customers") }}', raw=True)
        assert "context.call" in variable_text
        assert "Clients" not in bound and "context.call" in bound
        tree = environment.parse("{% for _ in [1] %}{{ gettext('Customers') }}{% endfor %}")
        assert translate_fixed_words(tree, None) is tree  # never asks the catalogue
