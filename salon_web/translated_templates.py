"""Templates compiled once per language, with their fixed words already translated.

A page says its fixed words through `_("...")`: 85 on a customer card, 57 on the list. Each is a Jinja context call,
a catalogue look-up and a Markup at every render (~2.4 µs), though the answer only depends on the language. Here a
template is compiled once for each language it is rendered in, and a call of `_`, `gettext` or `pgettext` with only
literal text becomes that language's translation at compile time: Jinja then writes it into the template's code as
part of the surrounding HTML. A call with variables keeps only the filling-in for render time. The rendered HTML is
the same; the templates' compiled code is kept per language (`LanguageCache`).
"""
from flask.templating import Environment
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from salon_web.i18n import current_language, fill_translation, translations

FOLDED = {"_": "ugettext", "gettext": "ugettext", "pgettext": "upgettext"}
FILL_FILTER = "fill_translation"


class TranslatedEnvironment(Environment):
    """Flask's Jinja environment, translating the fixed words of a template when it compiles it."""

    def __init__(self, app, **options):
        super().__init__(app, **options)
        if self.cache is not None:
            self.cache = LanguageCache(self.cache)
        self.filters[FILL_FILTER] = fill_translation

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if isinstance(source, str):
            source = translate_fixed_words(self.parse(source, name, filename), translations())
        return super().compile(source, name, filename, raw, defer_init)


class LanguageCache:
    """The environment's template cache, one compiled template per name and language."""

    def __init__(self, cache):
        self.cache = cache

    def get(self, key, default=None):
        return self.cache.get((current_language(), key), default)

    def __setitem__(self, key, template):
        self.cache[(current_language(), key)] = template

    def clear(self):
        self.cache.clear()

    @property
    def capacity(self):  # read by Jinja when it copies a cache (Environment.overlay)
        return getattr(self.cache, "capacity", None)


def translate_fixed_words(template, catalogue):
    """Replace each gettext call of `template` with literal text by its translation from `catalogue`.

    Left alone: calls with a variable for the text, ngettext (its form depends on the number), and every call in a
    template that binds one of the gettext names itself (a `set`, a loop or a macro argument called `_`).
    """
    if any(name.name in FOLDED and name.ctx != "load" for name in template.find_all(nodes.Name)):
        return template
    return _FixedWords(catalogue).visit(template)


class _FixedWords(NodeTransformer):
    def __init__(self, catalogue):
        self.catalogue = catalogue

    def visit_Call(self, call):
        call = self.generic_visit(call)  # a call among the variables of another is translated too
        return _translated(call, self.catalogue) or call


def _translated(call, catalogue):
    """The node that says what `call` would return, or None to keep the call."""
    if not isinstance(call.node, nodes.Name) or call.node.name not in FOLDED or call.dyn_args or call.dyn_kwargs:
        return None
    method = FOLDED[call.node.name]
    if len(call.args) != (2 if method == "upgettext" else 1):
        return None
    if not all(isinstance(arg, nodes.Const) and isinstance(arg.value, str) for arg in call.args):
        return None
    text = getattr(catalogue, method)(*(arg.value for arg in call.args))
    if not call.kwargs and "%" not in text:
        return nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=call.lineno)
    variables = nodes.Dict([nodes.Pair(nodes.Const(keyword.key), keyword.value, lineno=call.lineno)
                            for keyword in call.kwargs], lineno=call.lineno)
    return nodes.Filter(nodes.Const(text), FILL_FILTER, [variables], [], None, None, lineno=call.lineno)
