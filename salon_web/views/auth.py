"""Logging in and out."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from salon_web.forms import LoginForm
from salon_web.security import client_ip
from salon_web.services.auth import LoginThrottled, authenticate
from salon_web.services.salons import default_salon_id
from salon_web.services.sessions import end_session, start_session
from salon_web.texts import _l

bp = Blueprint("auth", __name__)

WRONG_CREDENTIALS = _l("That email and password do not match an active account.")
THROTTLED = _l("Too many failed attempts. Please wait 15 minutes before trying again.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on valid credentials start a session and go to the salon."""
    if request.method != "POST" and current_user.is_authenticated:
        return redirect(url_for("salons.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), (422 if form.is_submitted() else 200)
    try:
        user = authenticate(form.email.data, form.password.data, client_ip(request), **throttle_limits())
    except LoginThrottled:
        return render_template("auth/login.html", form=form, error=THROTTLED), 429
    if user is None:
        return render_template("auth/login.html", form=form, error=WRONG_CREDENTIALS), 401
    session.clear()  # no session fixation: start afresh
    login_user(start_session(user))
    session["salon_id"] = default_salon_id(user)
    return redirect(_safe_next(request.args.get("next")) or url_for("salons.home"), code=303)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session server-side (a copy of the cookie stops working too) and return to the login page."""
    if current_user.is_authenticated:
        end_session(current_user.session_key)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"), code=303)


def throttle_limits():
    """The login throttle's limits from the config (also used where the profile asks for the password)."""
    config = current_app.config
    return {
        "per_account": config["LOGIN_THROTTLE_PER_ACCOUNT"],
        "per_ip": config["LOGIN_THROTTLE_PER_IP"],
        "window_seconds": config["LOGIN_THROTTLE_WINDOW"],
    }


def _safe_next(target):
    """Only follow a `next` that stays on this site (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
