"""Account forms (CSRF included through Flask-WTF)."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from salon_web.texts import _l

from salon_web.services.passwords import MIN_LENGTH


def lower_case_fits(form, field):
    """The e-mail is looked up and logged lower-cased, and "İ".lower() is two characters: check that length."""
    if len((field.data or "").strip().lower()) > 254:
        raise ValidationError(_l("That email address is too long."))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email.")), Length(max=254), lower_case_fits])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=1024)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Choose a new password.")),
            Length(min=MIN_LENGTH, max=1024, message=_l("Use at least %(count)s characters.", count=MIN_LENGTH)),
        ],
    )
    confirm_password = PasswordField(
        _l("Repeat new password"), validators=[EqualTo("new_password", _l("The two new passwords differ."))]
    )


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[])  # filled from i18n.LANGUAGES by the view, with "" = the browser's
