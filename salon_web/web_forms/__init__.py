"""WTForms forms: the HTML edge where typed values are parsed from strings."""
