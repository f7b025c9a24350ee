"""The user's own account: password change and logging out other sessions."""
from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from salon_web.forms import PasswordChangeForm
from salon_web import htmx
from salon_web.htmx import redirect_to
from salon_web.security import client_ip
from salon_web.services import audit
from salon_web.services.api_tokens import create_token, revoke_token, tokens_of
from salon_web.services.auth import change_password, end_other_sessions
from salon_web.services.passwords import verify_password

bp = Blueprint("profile", __name__)


@bp.route("/profile")
@login_required
def profile():
    """Show the account page."""
    return render_template("profile/profile.html", form=PasswordChangeForm(), tokens=tokens_of(current_user))


@bp.route("/profile/password", methods=["POST"])
@login_required
def password():
    """Change the password; every other session ends."""
    form = PasswordChangeForm()
    valid = form.validate_on_submit()
    if valid and not verify_password(current_user.password_hash, form.current_password.data):
        form.current_password.errors.append("That is not your current password.")
        valid = False
    if not valid:
        return render_template("profile/profile.html", form=form, tokens=tokens_of(current_user)), 422
    user = change_password(current_user, form.new_password.data)
    login_user(user)  # this session carries on with the new session_version
    audit.record("user.password_changed", user=user, ip=client_ip(request))
    flash("Password changed. Other sessions have been logged out.", "success")
    return redirect_to(url_for("profile.profile"))


@bp.route("/profile/sessions/end", methods=["POST"])
@login_required
def end_sessions():
    """Log out every other browser or device."""
    user = end_other_sessions(current_user)
    login_user(user)
    audit.record("user.sessions_ended", user=user, ip=client_ip(request))
    flash("Every other session has been logged out.", "success")
    return redirect_to(url_for("profile.profile"))


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_api_token():
    """Create a personal API token and show its secret this once (never stored, never flashed)."""
    name = request.form.get("name", "").strip()
    if not name or len(name) > 100:
        errors = {"name": "Give the token a name of 1 to 100 characters, e.g. the tool that will use it."}
        return _tokens_block(errors=errors, name=name, status=422)
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


def _tokens_block(status=200, **context):
    return htmx.render(
        "profile/profile.html", "api_tokens", target="api-tokens", status=status,
        form=PasswordChangeForm(), tokens=tokens_of(current_user), **context,
    )
