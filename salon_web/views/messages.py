"""The Messages area (managers): outbox, templates, automations and rules, campaigns; and the card's panel (staff)."""
from flask import Blueprint, current_app, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from salon_web import htmx, jobs
from salon_web.models import SalonCustomer, SavedSegment, utcnow
from salon_web.models.messages import LANGUAGES, MESSAGE_STATUSES, Campaign
from salon_web.services.field_errors import FieldErrors
from salon_web.services.messages import automations, campaigns, consent, delivery, render as wording
from salon_web.services.messages.rules import AUTOMATIONS, choose_channel, settings_for
from salon_web.services.messages.settings import save_settings, send_template
from salon_web.services.messages.templates import (
    Wording, compose, placeholder_values, reset_template, save_template, template_for, templates_of)
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.web_forms.customer_list import segment_filter
from salon_web.web_forms.messages import clock_text, send_at, settings_change

bp = Blueprint("messages", __name__)


def _common(salon, **context):
    return dict(salon=salon, purposes=wording.PURPOSE_LABELS, languages=wording.LANGUAGE_LABELS,
                status_labels=wording.STATUS_LABELS, campaign_statuses=wording.CAMPAIGN_STATUS_LABELS, **context)


@bp.route("/salons/<int:salon_id>/messages")
@salon_view(*MANAGERS)
def hub(salon):
    """The hub: the outbox (what was and will be sent), with links to templates, automations and campaigns."""
    status = request.args.get("status") if request.args.get("status") in MESSAGE_STATUSES else None
    before = request.args.get("before", type=int)
    messages = delivery.outbox(salon, status=status, before_id=before)
    return htmx.render("messages/hub.html", "outbox", target="outbox", **_common(
        salon, messages=messages, chosen_status=status, statuses=MESSAGE_STATUSES, counts=delivery.status_counts(salon),
        settings=settings_for(salon), feedback=consent.feedback_summary(salon)))


@bp.route("/salons/<int:salon_id>/messages/settings")
@salon_view(*MANAGERS)
def settings(salon):
    """Automation switches, quiet hours, the marketing cap and the salon's language."""
    return _settings_page(salon, settings_for(salon))


def _settings_page(salon, current, errors=None, status=200):
    values = {"language": current.language, "quiet_start": clock_text(current.quiet_start),
              "quiet_end": clock_text(current.quiet_end), "marketing_cap": current.marketing_cap,
              "cap_days": current.cap_days, "automations": current.automations or []}
    if errors is not None:
        values.update({k: request.form.get(k, "") for k in ("language", "quiet_start", "quiet_end", "marketing_cap",
                                                             "cap_days")}, automations=request.form.getlist("automations"))
    return render_template("messages/settings.html", **_common(
        salon, values=values, errors=errors or {}, automations=AUTOMATIONS, labels=automations.LABELS)), status


@bp.route("/salons/<int:salon_id>/messages/settings", methods=["POST"])
@salon_view(*MANAGERS)
def save(salon):
    """Save the settings; 422 with the form and its messages when refused."""
    try:
        save_settings(salon, settings_change(request.form), user=current_user.id)
    except FieldErrors as refused:
        return _settings_page(salon, settings_for(salon), refused.errors, 422)
    flash(_("Message settings saved."), "success")
    return htmx.redirect_to(url_for(".settings", salon_id=salon.id))


def _template_choice(source, salon):
    purpose = source.get("purpose") if source.get("purpose") in wording.DEFAULTS else "birthday"
    language = source.get("language") if source.get("language") in LANGUAGES else settings_for(salon).language
    return purpose, language


@bp.route("/salons/<int:salon_id>/messages/templates")
@salon_view(*MANAGERS)
def templates(salon):
    """Every template (purpose x language) and the editor of the chosen one, with a preview for a real client."""
    purpose, language = _template_choice(request.args, salon)
    current = template_for(salon, purpose, language)
    return _templates_page(salon, purpose, language, {"subject": current.subject, "body": current.body})


PREVIEW_CLIENTS = 50


def _templates_page(salon, purpose, language, values, errors=None, status=200):
    preview = _preview(salon, purpose, language, values.get("subject", ""), values.get("body", ""))
    clients = (SalonCustomer.in_salon(salon, SalonCustomer.id, SalonCustomer.full_name)
               .order_by(SalonCustomer.last_visit_at.desc(nulls="LAST"), SalonCustomer.id).limit(PREVIEW_CLIENTS))
    return render_template("messages/templates.html", **_common(
        salon, all_templates=templates_of(salon), purpose=purpose, language=language, values=values,
        errors=errors or {}, preview=preview, placeholders=wording.PLACEHOLDERS, clients=list(clients))), status


def _preview(salon, purpose, language, subject, body, customer_id=None):
    """The wording rendered for a real client of the salon (the one asked for, else the first), with SMS length."""
    query = SalonCustomer.in_salon(salon).order_by(SalonCustomer.id)
    customer = query.where(SalonCustomer.id == customer_id).first() if customer_id else None
    customer = customer or query.first()
    if customer is None:
        return None
    values = placeholder_values(salon, customer, config=current_app.config, occasion="preview")
    values.update(appointment_date="05/12/2026", appointment_time="14:30", service="Braids")
    rendered_subject, rendered_body = compose(Wording(subject, body),
                                              purpose, language, values)
    encoding, units, segments = wording.sms_length(rendered_body)
    return {"customer": customer, "subject": rendered_subject, "body": rendered_body, "encoding": encoding,
            "units": units, "segments": segments, "unknown": wording.unknown_placeholders(subject + " " + body)}


@bp.route("/salons/<int:salon_id>/messages/templates", methods=["POST"])
@salon_view(*MANAGERS)
def save_template_view(salon):
    """Save (or reset to the default) a template; 422 with the editor when refused."""
    purpose, language = _template_choice(request.form, salon)
    values = {"subject": request.form.get("subject", ""), "body": request.form.get("body", "")}
    if request.form.get("action") == "reset":
        reset_template(salon, purpose, language)
        flash(_("Template reset to the default wording."), "success")
    else:
        try:
            save_template(salon, purpose, language, values["subject"], values["body"])
        except FieldErrors as refused:
            return _templates_page(salon, purpose, language, values, refused.errors, 422)
        flash(_("Template saved."), "success")
    return htmx.redirect_to(url_for(".templates", salon_id=salon.id, purpose=purpose, language=language))


@bp.route("/salons/<int:salon_id>/messages/preview", methods=["POST"])
@salon_view(*MANAGERS)
def preview(salon):
    """The preview fragment of a wording being typed (htmx), for a real client."""
    purpose, language = _template_choice(request.form, salon)
    shown = _preview(salon, purpose, language, request.form.get("subject", ""), request.form.get("body", ""),
                     request.form.get("customer_id", type=int))
    return htmx.render_partial("messages/_preview.html", salon=salon, preview=shown)


@bp.route("/salons/<int:salon_id>/messages/campaigns")
@salon_view(*MANAGERS)
def campaign_list(salon):
    """Campaigns sent and scheduled, and the form of a new one (to a saved segment or the list filter in `query`)."""
    language = settings_for(salon).language  # the default wording in the language the campaign is sent in
    subject, body = wording.DEFAULTS["marketing"].get(language, wording.DEFAULTS["marketing"]["en"])
    values = {"name": "", "query": request.args.get("query", ""), "segment": request.args.get("segment", ""),
              "channel": "auto", "language": language, "when": "now", "send_at": "", "subject": subject, "body": body}
    return _campaigns_page(salon, values)


def _campaigns_page(salon, values, errors=None, status=200, reach=None):
    return render_template("messages/campaigns.html", **_common(
        salon, campaigns=campaigns.campaigns_of(salon), segments=list(SavedSegment.in_salon(salon).order_by(SavedSegment.name)),
        values=values, errors=errors or {}, reach=reach)), status


def _campaign_form(salon):
    """The new-campaign form: (values, customer filter, send_at, errors)."""
    form = request.form
    values = {k: form.get(k, "") for k in ("name", "query", "segment", "channel", "language", "when", "send_at",
                                           "subject", "body")}
    errors = {}
    query = values["query"]
    if values["segment"]:
        segment = SavedSegment.in_salon(salon).where(SavedSegment.id == (form.get("segment", type=int) or 0)).first()
        if segment is None:
            errors["segment"] = _("Choose one of the salon's segments.")
        else:
            query = segment.query
    customer_filter, refused = segment_filter(query, salon)
    if refused:
        errors["query"] = " ".join(str(message) for message in refused.values())
    moment, problem = send_at(form, salon.timezone)
    if problem:
        errors["send_at"] = problem
    return values, customer_filter, moment, errors


@bp.route("/salons/<int:salon_id>/messages/campaigns/preview", methods=["POST"])
@salon_view(*MANAGERS)
def campaign_preview(salon):
    """Whom the campaign reaches, and how many are skipped and why (htmx fragment, or the page)."""
    values, customer_filter, _moment, errors = _campaign_form(salon)
    reach = None
    if not errors:
        reached, skipped = campaigns.audience(salon, customer_filter, values["channel"] if values["channel"] in
                                              campaigns.CHANNELS else "auto", settings_for(salon), utcnow())
        reach = {"count": len(reached), "skipped": skipped, "skipped_total": sum(skipped.values())}
    if htmx.is_fragment_request("campaign-reach"):
        return htmx.render_partial("messages/_reach.html", reach=reach, errors=errors,
                                   status=422 if errors else 200)
    return _campaigns_page(salon, values, errors, 422 if errors else 200, reach)


@bp.route("/salons/<int:salon_id>/messages/campaigns", methods=["POST"])
@salon_view(*MANAGERS)
def campaign_create(salon):
    """Create a campaign and queue its messages; the worker sends them (now or at the time set)."""
    values, customer_filter, moment, errors = _campaign_form(salon)
    if errors:  # the campaign's own messages too, so every one is given at once
        try:
            campaigns.check_campaign(values["name"], values["channel"], values["language"], values["subject"],
                                     values["body"], None, utcnow())
        except FieldErrors as refused:
            errors = {**refused.errors, **errors}
    else:
        try:
            campaign = campaigns.create_campaign(
                salon, settings_for(salon), current_app.config, name=values["name"], customer_filter=customer_filter,
                channel=values["channel"], language=values["language"], subject=values["subject"], body=values["body"],
                send_at=moment, user=current_user.id)
        except FieldErrors as refused:
            errors = refused.errors
    if errors:
        return _campaigns_page(salon, values, errors, 422)
    jobs.deliver_messages(salon.id)
    flash(ngettext("Campaign “%(name)s”: %(num)d message queued.", "Campaign “%(name)s”: %(num)d messages queued.",
                   campaign.queued_count, name=campaign.name), "success")
    return htmx.redirect_to(url_for(".campaign", salon_id=salon.id, campaign_id=campaign.id))


@bp.route("/salons/<int:salon_id>/messages/campaigns/<int:campaign_id>")
@salon_view(*MANAGERS)
def campaign(salon, campaign_id):
    """A campaign's progress (htmx polls the progress block until nothing is left to send)."""
    found = Campaign.get_in_salon(salon, campaign_id)
    return htmx.render("messages/campaign.html", "progress", target="campaign-progress", **_common(
        salon, campaign=found, progress=campaigns.progress(salon, found)))


@bp.route("/salons/<int:salon_id>/messages/campaigns/<int:campaign_id>/stop", methods=["POST"])
@salon_view(*MANAGERS)
def campaign_stop(salon, campaign_id):
    """Stop a campaign: what is not being sent yet never will be."""
    found = Campaign.get_in_salon(salon, campaign_id)
    stopped = campaigns.stop_campaign(salon, found, user=current_user.id)
    flash(ngettext("Campaign stopped: %(num)d message will not be sent.",
                   "Campaign stopped: %(num)d messages will not be sent.", stopped), "success")
    return htmx.redirect_to(url_for(".campaign", salon_id=salon.id, campaign_id=found.id))


@bp.route("/salons/<int:salon_id>/messages/feedback")
@salon_view(*MANAGERS)
def feedback_summary(salon):
    """The feedback average and count (the analytics page loads it as a fragment)."""
    average, count = consent.feedback_summary(salon)
    return htmx.render_partial("messages/_feedback_summary.html", salon=salon, average=average, count=count)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/messages")
@salon_view()
def card_panel(salon, customer_id):
    """The card's panel: upcoming automated messages, recent ones, feedback, and the send-a-template form."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    return _card_panel(salon, customer)


def _card_panel(salon, customer, errors=None, sent=False, status=200):
    settings = settings_for(salon)
    context = dict(salon=salon, customer=customer, errors=errors or {}, sent=sent,
                   upcoming=automations.upcoming_for(salon, customer, utcnow(), current_app.config),
                   queued=delivery.outbox_of(salon, customer), feedback=consent.feedback_of(customer),
                   purposes={k: v for k, v in wording.PURPOSE_LABELS.items()
                             if k not in ("appointment_reminder", "appointment_confirmation")},
                   languages=wording.LANGUAGE_LABELS, language=settings.language, status_labels=wording.STATUS_LABELS,
                   marketing_ok=choose_channel(customer, "marketing")[0] is not None,
                   values={k: request.form.get(k, "") for k in ("purpose", "channel", "language")})
    if htmx.is_fragment_request():
        return htmx.render_partial("messages/_card_panel.html", status=status, **context)
    return render_template("messages/card.html", **context), status


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/messages", methods=["POST"])
@salon_view()
def card_send(salon, customer_id):
    """Send a template to this client by hand (queued now, sent by the worker within the rules)."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    try:
        send_template(salon, customer, request.form.get("purpose"), request.form.get("channel", "auto"),
                      current_app.config, language=request.form.get("language"), user=current_user.id)
    except FieldErrors as refused:
        return _card_panel(salon, customer, refused.errors, status=422)
    jobs.deliver_messages(salon.id)
    if not htmx.is_fragment_request():
        flash(_("Message queued."), "success")
        return htmx.redirect_to(url_for(".card_panel", salon_id=salon.id, customer_id=customer.id))
    body, status = _card_panel(salon, customer, sent=True)
    return htmx.trigger(make_response(body, status), "timeline-changed", "communications-changed")
