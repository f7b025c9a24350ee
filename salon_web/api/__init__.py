"""The JSON API under /api/v1: personal tokens, problem+json errors, OpenAPI 3.1.

It calls the same services as the HTML views. It never reads the session cookie,
so it needs no CSRF token.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app):
    from salon_web.api import (  # noqa: F401  (modules register their operations, in the document's order)
        account, communications, customer_detail, customers, analytics, docs, sales, imports, merges,
    )
    from salon_web.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
