"""salon_web: customer management for hair and beauty salons."""
from pathlib import Path

from flask import Flask, abort, has_request_context, request

from salon_web import api, db, errors, htmx, i18n, kept_urls, security, template_macros
from salon_web.translated_templates import TranslatedEnvironment
from salon_web.config import load_config
from salon_web.extensions import csrf, htmx as htmx_extension, login_manager
from salon_web.services.sessions import load_session_user
from salon_web.template_helpers import SWITCHER_LIMIT

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the Flask app; `config` overrides environment and defaults (tests pass a dict)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.jinja_environment = TranslatedEnvironment  # before anything asks for app.jinja_env, which is built once
    app.config.update(load_config(app.instance_path, config))
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    db.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    htmx_extension.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    api.init_app(app)
    errors.init_app(app)
    _init_templates(app)

    @app.before_request
    def _refuse_nul_bytes():
        # The API validates its own input and answers 422 with field errors instead.
        if not request.path.startswith("/api/") and security.has_nul_byte(request):
            abort(400, "The request contains a character that text fields cannot hold.")

    @app.after_request
    def _headers(response):
        htmx.add_vary_header(response)
        return security.add_security_headers(response, request)

    from salon_web.cli import register_commands

    register_commands(app)
    return app


def _init_login(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_session_user)


def _session_user(session_key):
    """The session's user, read with the salon in the URL (if any) and the top bar's switcher in the same statement."""
    salon_id = (request.view_args or {}).get("salon_id") if has_request_context() else None
    return load_session_user(session_key, salon_id=salon_id if isinstance(salon_id, int) else None,
                             switcher_size=SWITCHER_LIMIT + 1)


def _register_blueprints(app):
    from salon_web.views import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def _init_templates(app):
    from salon_web import template_helpers

    template_helpers.init_app(app)
    kept_urls.init_app(app)
    template_macros.init_app(app)
