"""The user's own account: password change and logging out other sessions."""
from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from salon_web.forms import PasswordChangeForm
from salon_web.htmx import redirect_to
from salon_web.security import client_ip
from salon_web.services import audit
from salon_web.services.auth import change_password, end_other_sessions
from salon_web.services.passwords import verify_password

bp = Blueprint("profile", __name__)


@bp.route("/profile")
@login_required
def profile():
    """Show the account page."""
    return render_template("profile/profile.html", form=PasswordChangeForm())


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
        return render_template("profile/profile.html", form=form), 422
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
