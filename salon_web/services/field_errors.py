"""The one exception a service raises for input it cannot accept, keyed by the domain's field names.

Forms show each message beside its field (422); the API lists them as problem+json `errors` (422).
"""


class FieldErrors(ValueError):
    """Values the domain refuses; `errors` maps a field name to a message for the person who typed it."""

    def __init__(self, errors):
        # A message marked for translation (salon_web.texts._l) becomes text here, in the language of the request.
        self.errors = {field: message if isinstance(message, list) else str(message) for field, message in errors.items()}
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))
