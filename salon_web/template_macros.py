"""The form macros every widget uses, as Jinja globals: no `{% from ... import %}` in each block.

A block that htmx swaps is rendered alone (jinja2-fragments), without its template's top-level code, so each of the
card's blocks imported the macros again: 12 imports a card, ~0.2 ms of its 1.8 ms of rendering (Jinja compares the
importing context's globals with the macro module's on every import). A global is looked up when called, through
the environment's template cache, so an edited macro file still reloads where templates do (development).
"""

MACROS = {
    "_macros.html": ("field_error", "wtf_field"),
    "customer_detail/_macros.html": ("widget_form_fields", "widget_notice", "error_attrs"),
}


class TemplateMacro:
    """The macro `name` of `template`, called as if imported (without the caller's context, as an import is)."""

    def __init__(self, environment, template, name):
        self.environment, self.template, self.name = environment, template, name

    def __call__(self, *args, **kwargs):
        macro = getattr(self.environment.get_template(self.template).module, self.name)
        return macro(*args, **kwargs)


def init_app(app):
    for template, names in MACROS.items():
        app.jinja_env.globals.update({name: TemplateMacro(app.jinja_env, template, name) for name in names})
