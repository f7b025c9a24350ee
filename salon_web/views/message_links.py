"""Public, login-free endpoints of messages: the signed unsubscribe and feedback links, and Twilio's webhooks.

The links carry their own signed token (no session, so no CSRF token: they are exempt and the token is the
proof). The webhooks are signed by Twilio (X-Twilio-Signature): a forged or missing signature is refused (403).
"""
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import force_locale

from salon_web.extensions import csrf
from salon_web.i18n import DEFAULT_LANGUAGE, supported
from salon_web.models import NotInSalon, Salon
from salon_web.services.field_errors import FieldErrors
from salon_web.services.messages import consent, links
from salon_web.services.messages.delivery import record_delivery_report
from salon_web.services.messages.transports import valid_twilio_signature
from salon_web.services.phones import InvalidPhone, normalize_phone
from salon_web.texts import _l

bp = Blueprint("message_links", __name__)

EXPIRED = _l("This link has expired.")
NOT_VALID = _l("This link is not valid.")


def _public_page(template, salon, **context):
    """A client's page: in the salon's language (its clients' messages speak it), not the visitor's browser's."""
    if salon is None:
        return render_template(template, salon=salon, **context)
    with force_locale(supported(getattr(salon, "language", None)) or DEFAULT_LANGUAGE):
        return render_template(template, salon=salon, **context)


def _unsubscribe_target(token):
    try:
        salon_id, customer_id = links.read_unsubscribe(current_app.config["SECRET_KEY"], token)
    except links.BadLink:
        abort(404)
    salon = Salon.get_or_none(Salon.id == salon_id)
    if salon is None:
        abort(404)
    return salon, customer_id


@bp.route(links.UNSUBSCRIBE_PATH + "<token>")
def unsubscribe_page(token):
    """The unsubscribe page: one button (a GET never changes consent; mail clients POST directly, RFC 8058)."""
    salon, _customer_id = _unsubscribe_target(token)
    return _public_page("messages/public_unsubscribe.html", salon, token=token, done=False)


@csrf.exempt
@bp.route(links.UNSUBSCRIBE_PATH + "<token>", methods=["POST"])
def unsubscribe(token):
    """Withdraw marketing consent for the client the signed token names (one click, no login)."""
    salon, customer_id = _unsubscribe_target(token)
    try:
        consent.unsubscribe(salon.id, customer_id)
    except NotInSalon:
        abort(404)
    return _public_page("messages/public_unsubscribe.html", salon, token=token, done=True)


def _feedback_target(token):
    try:
        salon_id, customer_id, occasion = links.read_feedback(current_app.config["SECRET_KEY"], token)
    except links.BadLink as bad:
        return None, None, None, (EXPIRED if bad.expired else None)
    salon = Salon.get_or_none(Salon.id == salon_id)
    if salon is None:
        return None, None, None, None
    return salon, customer_id, occasion, None


@bp.route(links.FEEDBACK_PATH + "<token>")
def feedback_page(token):
    """The 1-5 rating page of a visit (expired link: 410; unknown: 404)."""
    salon, customer_id, occasion, problem = _feedback_target(token)
    if salon is None:
        return render_template("messages/public_feedback.html", salon=None, problem=problem or NOT_VALID,
                               errors={}, values={}, done=False), 410 if problem else 404
    done = consent.existing_feedback(salon.id, customer_id, occasion) is not None
    return _public_page("messages/public_feedback.html", salon, token=token, problem=None, errors={},
                        values={}, done=done)


@csrf.exempt
@bp.route(links.FEEDBACK_PATH + "<token>", methods=["POST"])
def feedback(token):
    """Record the rating and comment (once per visit); 422 with the page when the rating is missing."""
    salon, customer_id, occasion, problem = _feedback_target(token)
    if salon is None:
        return render_template("messages/public_feedback.html", salon=None, problem=problem or NOT_VALID,
                               errors={}, values={}, done=False), 410 if problem else 404
    values = {"rating": request.form.get("rating", ""), "comment": request.form.get("comment", "")}
    try:
        consent.record_feedback(salon.id, customer_id, occasion, request.form.get("rating", type=int),
                                values["comment"])
    except FieldErrors as refused:
        return _public_page("messages/public_feedback.html", salon, token=token, problem=None,
                            errors=refused.errors, values=values, done=False), 422
    except NotInSalon:
        abort(404)
    return _public_page("messages/public_feedback.html", salon, token=token, problem=None, errors={},
                        values=values, done=True)


def _signed_by_twilio():
    """True when the request carries Twilio's signature over our public URL and its form."""
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.full_path.rstrip("?")
    return valid_twilio_signature(current_app.config.get("TWILIO_AUTH_TOKEN"), url, request.form.to_dict(),
                                  request.headers.get("X-Twilio-Signature"))


@csrf.exempt
@bp.route("/hooks/twilio/inbound", methods=["POST"])
def twilio_inbound():
    """An SMS reply: STOP (and its synonyms) withdraws marketing consent and SMS; answered with empty TwiML."""
    if not _signed_by_twilio():
        abort(403)
    try:
        phone = normalize_phone(request.form.get("From", ""), "US")
    except InvalidPhone:
        phone = None
    consent.stop_from_phone(phone, request.form.get("Body", ""))
    return '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', 200, {"Content-Type": "text/xml"}


@csrf.exempt
@bp.route("/hooks/twilio/status", methods=["POST"])
def twilio_status():
    """A delivery report: moves the message's history row forward only (delivered, failed)."""
    if not _signed_by_twilio():
        abort(403)
    record_delivery_report(request.form.get("MessageSid", ""), request.form.get("MessageStatus", ""))
    return "", 204
