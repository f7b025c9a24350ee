"""The form macros as Jinja globals: what an import of them gives, and an edited macro file still reloads."""
from flask import render_template_string
from jinja2 import DictLoader, Environment

from salon_web.template_macros import MACROS, TemplateMacro


def test_each_global_renders_as_its_import(app):
    calls = {"field_error": '({"name": "Give a name."}, "name")', "error_attrs": '({"tag": "Too long."}, "tag")'}
    with app.test_request_context("/"):
        for template, names in MACROS.items():
            for name in names:
                assert name in app.jinja_env.globals
                if name in calls:
                    imported = render_template_string(
                        f'{{% from "{template}" import {name} as it %}}{{{{ it{calls[name]} }}}}')
                    assert imported.strip()
                    assert render_template_string(f"{{{{ {name}{calls[name]} }}}}") == imported


def test_a_macro_global_follows_its_edited_template():
    mapping = {"m.html": "{% macro hello(name) %}Hello {{ name }}{% endmacro %}"}
    environment = Environment(loader=DictLoader(mapping), auto_reload=True, autoescape=True)
    hello = TemplateMacro(environment, "m.html", "hello")
    assert hello("<Ana>") == "Hello &lt;Ana&gt;"
    mapping["m.html"] = "{% macro hello(name) %}Bonjour {{ name }}{% endmacro %}"
    assert hello("Ana") == "Bonjour Ana"
