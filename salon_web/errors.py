"""Friendly error pages (and small fragments for htmx), never a stack trace."""
import logging

from flask import g, request
from flask_wtf.csrf import CSRFError
from peewee import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from salon_web import htmx
from salon_web.extensions import login_manager
from salon_web.models import NotInSalon
from salon_web.texts import _l

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something was wrong with that request"), _l("Please go back, reload the page and try again.")),
    401: (_l("Please log in"), _l("Your session has ended. Log in again to continue.")),
    403: (_l("Not allowed"), _l("Your role in this salon does not allow this.")),
    404: (_l("Not found"), _l("That page does not exist, or it belongs to a salon you cannot see.")),
    405: (_l("Not allowed here"), _l("That action cannot be done this way.")),
    413: (_l("Too large"), _l("That upload or form is larger than we accept.")),
    422: (_l("Please check the form"), _l("Some values could not be accepted.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Please try again.")),
    503: (_l("Temporarily unavailable"), _l("The database cannot be reached right now. Please try again shortly.")),
}
RETRY_AFTER_SECONDS = 30


def render_error(status, message=None):
    """Return an error page, or only its fragment for htmx requests."""
    if request.path.startswith("/api/"):
        from salon_web.api.problems import problem_response

        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
        return problem_response(status, message, headers=headers)
    title, default_message = MESSAGES.get(status, MESSAGES[500])
    context = {"code": status, "title": title, "message": message or default_message, "error_page": True}
    body, status = htmx.render("errors/error.html", "error_fragment", status=status, **context)
    return body, status, ({"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else {})


def _plain_503():
    """A 503 that needs nothing but this module: the last resort while the database is down."""
    title, message = MESSAGES[503]
    return (f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{message}</p>", 503,
            {"Retry-After": str(RETRY_AFTER_SECONDS), "Content-Type": "text/html; charset=utf-8"})


def init_app(app):
    @app.errorhandler(HTTPException)
    def _http_error(error):
        if error.code not in MESSAGES:
            return error
        # abort(422, "Explain what to fix") passes its own text; defaults stay friendly.
        custom = error.description != type(error).description
        message = error.description if custom else None
        return render_error(error.code, message)

    @app.errorhandler(NotInSalon)
    def _not_in_salon(error):
        # Another salon's object and a missing one answer alike: existence is never revealed.
        return render_error(404)

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return render_error(400, _l("The form expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(error):
        log.error("database unavailable: %s", error)
        if "_login_user" not in g:
            # The page would look the user up, in the database that just failed: show it as to a visitor.
            g._login_user = login_manager.anonymous_user()
        try:
            return render_error(503)
        except (OperationalError, InterfaceError):  # whatever else the page needed failed too
            return _plain_503()

    @app.errorhandler(Exception)
    def _unexpected(error):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
