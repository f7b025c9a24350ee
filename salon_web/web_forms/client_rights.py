"""The forms of a client's rights, duplicates and merges: strings in, typed values out."""
from wtforms import Form, StringField

FLAG_VALUES = ("yes", "on", "1")


class ForgetForm(Form):
    """The confirmation that a client is to be forgotten."""

    confirm = StringField()

    @property
    def confirmed(self):
        return (self.confirm.data or "").strip().lower() in FLAG_VALUES
