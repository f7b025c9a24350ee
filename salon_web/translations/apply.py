"""Fill catalogues from translation tables: `python -m salon_web.translations.apply TABLE.json ...`.

A table maps an English message to its translations: {"Log in": {"fr": "Se connecter", "rw": "Injira"}}; a plural
message is keyed by its singular and gives lists: {"%(num)d visit": {"plural": "%(num)d visits",
"fr": ["%(num)d visite", "%(num)d visites"], "rw": [...]}}. Entries the catalogue does not hold are reported, so a
table never adds text the code does not use; run `make messages` first.
"""
import json
import sys

from babel.messages.pofile import write_po

from salon_web.translations import TRANSLATED, po_path, read_catalogue


def apply(tables):
    unknown = set()
    for language in TRANSLATED:
        catalogue = read_catalogue(language)
        for table in tables:
            for msgid, entry in table.items():
                key = (msgid, entry["plural"]) if "plural" in entry else msgid
                message = catalogue.get(key if isinstance(key, str) else key[0])
                if message is None or language not in entry:
                    unknown.add(msgid)
                    continue
                message.string = tuple(entry[language]) if isinstance(entry[language], list) else entry[language]
                message.flags.discard("fuzzy")
        with po_path(language).open("wb") as handle:
            write_po(handle, catalogue, width=120, no_location=True, sort_output=True)
    return sorted(unknown)


if __name__ == "__main__":
    loaded = [json.load(open(path, encoding="utf-8")) for path in sys.argv[1:]]
    for msgid in apply(loaded):
        print(f"not in the catalogue (or a language missing): {msgid!r}")
