"""The forms of a client's rights, duplicates and merges: strings in, typed values out."""
from wtforms import Form, StringField

from salon_web.ids import parse_id
from salon_web.services.merges import CHOICES, MERGED, SURVIVOR

FLAG_VALUES = ("yes", "on", "1")


class ForgetForm(Form):
    """The confirmation that a client is to be forgotten."""

    confirm = StringField()

    @property
    def confirmed(self):
        return (self.confirm.data or "").strip().lower() in FLAG_VALUES


class MergeForm(Form):
    """The two cards side by side, which one survives, and whose value wins each field (a card's id per field)."""

    first = StringField()
    second = StringField()
    survivor = StringField()

    def value(self, form_data):
        """Return (merged id, survivor id, {field: "survivor" | "merged"}); the ids are None unless one of the pair."""
        pair = (parse_id(self.first.data), parse_id(self.second.data))
        survivor = parse_id(self.survivor.data)
        if None in pair or survivor not in pair or pair[0] == pair[1]:
            return None, None, {}
        merged = pair[1] if survivor == pair[0] else pair[0]
        choices = {}
        for name in CHOICES:
            picked = parse_id(form_data.get(f"choice_{name}"))
            if picked is not None:
                choices[name] = SURVIVOR if picked == survivor else MERGED if picked == merged else "?"
        return merged, survivor, choices
