"""Account forms (CSRF included through Flask-WTF)."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from salon_web.services.passwords import MIN_LENGTH


def lower_case_fits(form, field):
    """The e-mail is looked up and logged lower-cased, and "İ".lower() is two characters: check that length."""
    if len((field.data or "").strip().lower()) > 254:
        raise ValidationError("That email address is too long.")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254), lower_case_fits])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a new password."),
            Length(min=MIN_LENGTH, max=1024, message=f"Use at least {MIN_LENGTH} characters."),
        ],
    )
    confirm_password = PasswordField(
        "Repeat new password", validators=[EqualTo("new_password", "The two new passwords differ.")]
    )


class LanguageForm(FlaskForm):
    language = SelectField("Language", choices=[])  # filled from i18n.LANGUAGES by the view, with "" = the browser's
