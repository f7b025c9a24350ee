"""The user's own account: password change, logging out everywhere, personal API tokens."""
from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required, login_user

from salon_web.forms import LanguageForm, PasswordChangeForm
from salon_web.i18n import LANGUAGES
from salon_web import htmx
from salon_web.htmx import redirect_to
from salon_web.security import client_ip
from salon_web.services import audit
from salon_web.services.api_tokens import create_token, revoke_token, tokens_of
from salon_web.services.auth import (
    LoginThrottled, change_password, choose_language, confirm_password, log_out_everywhere,
)
from salon_web.services.sessions import start_session
from salon_web.texts import _l
from salon_web.views.auth import THROTTLED, throttle_limits

WRONG_PASSWORD = _l("That is not your current password.")

bp = Blueprint("profile", __name__)


@bp.route("/profile")
@login_required
def profile():
    """Show the account page."""
    return _profile_page(PasswordChangeForm())


@bp.route("/profile/language", methods=["POST"])
@login_required
def language():
    """Choose the language of every page for this user, or follow the browser's."""
    form = _language_form()
    if not form.validate_on_submit():
        return _profile_page(PasswordChangeForm(), language_form=form), 422
    choose_language(current_user._get_current_object(), form.language.data)
    flash(_("Language saved."), "success")
    return redirect_to(url_for("profile.profile"))


@bp.route("/profile/password", methods=["POST"])
@login_required
def password():
    """Change the password; every session ends (this one starts afresh) and every API token is revoked."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _profile_page(form), 422
    problem, status = _password_problem(form.current_password.data)
    if problem:
        form.current_password.errors.append(problem)
        return _profile_page(form), status
    user = change_password(current_user._get_current_object(), form.new_password.data)
    login_user(start_session(user))
    audit.record("user.password_changed", user=user, ip=client_ip(request))
    flash(_("Password changed. Every other session has been logged out and every API token revoked."), "success")
    return redirect_to(url_for("profile.profile"))


@bp.route("/profile/sessions/end", methods=["POST"])
@login_required
def end_sessions():
    """Log out every other browser or device and revoke every API token; this browser starts a new session."""
    user = current_user._get_current_object()
    revoked = log_out_everywhere(user)
    login_user(start_session(user))
    audit.record("user.sessions_ended", user=user, ip=client_ip(request), detail={"api_tokens_revoked": revoked})
    flash(ngettext("Every other session has been logged out and %(num)d API token revoked.",
                   "Every other session has been logged out and %(num)d API tokens revoked.", revoked), "success")
    return redirect_to(url_for("profile.profile"))


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_api_token():
    """Create a personal API token after the password is confirmed; show its secret this once (never stored)."""
    name = request.form.get("name", "").strip()
    if not name or len(name) > 100:
        errors = {"name": _("Give the token a name of 1 to 100 characters, e.g. the tool that will use it.")}
        return _tokens_block(errors=errors, name=name, status=422)
    problem, _status = _password_problem(request.form.get("password", ""))
    if problem:  # 422 even when throttled: htmx swaps 422 only, and the message belongs beside the field
        return _tokens_block(errors={"password": problem}, name=name, status=422)
    token, secret = create_token(current_user, name)
    audit.record("api_token.created", user=current_user, object_type="api_token", object_id=token.id, ip=client_ip(request))
    return _tokens_block(new_secret=secret, new_token=token)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id):
    """Revoke one of your tokens; it stops working at once."""
    if not revoke_token(current_user, token_id):
        abort(404)
    audit.record("api_token.revoked", user=current_user, object_type="api_token", object_id=token_id, ip=client_ip(request))
    return _tokens_block()


def _language_form():
    form = LanguageForm(data={"language": current_user.language or ""} if request.method == "GET" else None)
    form.language.choices = [("", _("The browser's language"))] + list(LANGUAGES.items())
    return form


def _profile_page(form, language_form=None):
    language_form = language_form or _language_form()
    return render_template(
        "profile/profile.html", form=form, language_form=language_form, tokens=tokens_of(current_user)
    )


def _password_problem(password):
    """Return (message, status) when `password` does not confirm the current user, else (None, None)."""
    if not password:
        return _("Enter your current password."), 422
    try:
        confirmed = confirm_password(current_user, password, client_ip(request), **throttle_limits())
    except LoginThrottled:
        return THROTTLED, 429
    return (None, None) if confirmed else (WRONG_PASSWORD, 422)


def _tokens_block(status=200, **context):
    return htmx.render(
        "profile/profile.html", "api_tokens", target="api-tokens", status=status,
        form=PasswordChangeForm(), language_form=_language_form(), tokens=tokens_of(current_user), **context,
    )
