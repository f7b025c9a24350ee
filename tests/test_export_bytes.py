"""The export's bytes are pinned: the same filter gives byte for byte the file the export gave before COPY.

tests/data/export_golden_<database>.csv were written by the export as it was before it streamed through COPY
(commit 157caf4: named cursor and lines built in SQL on PostgreSQL, csv.writer on SQLite). The two databases' files
hold the same values but differ in quoting (PostgreSQL quotes every text cell; csv.writer only where needed).
Each filter's file follows the previous one, after a line naming the filter. Awkward cells on purpose: quotes, commas, CR, LF, CRLF, tab,
backslash, control characters, formula starts, accents and emoji, a phone column holding a formula, missing values.
"""
import datetime
from pathlib import Path

import pytest

from salon_web.db import is_postgres
from salon_web.models import AuditEvent, SalonCustomer
from salon_web.services import export
from salon_web.web_forms.customer_list import list_filter
from tests import factories
from tests.list_helpers import with_figures

GOLDEN = Path(__file__).parent / "data" / "export_golden_{database}.csv"
NOW = datetime.datetime(2026, 3, 15, 12)
D = datetime.datetime
FILTERS = [{}, {"sort": "name"}, {"tags": "VIP"}, {"q": "aline"}, {"sort": "total_spent", "order": "asc"}]


def build_salons():
    """Two salons (RWF in Kigali, EUR in Paris) with the awkward customers."""
    kigali = factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")
    paris = factories.make_salon("Atelier", "FR", "Europe/Paris", "EUR")
    aline = factories.make_customer(kigali, 'Aline "Quote" Uwase', phone="0788 123 456", email="=cmd@example.com",
                                    notes="line one\nline two\r\nback\\slash\ttab", tags=["VIP", "Regular", "Zeta"],
                                    birthday=datetime.date(1990, 2, 28), follow_up_on=datetime.date(2026, 3, 20))
    with_figures(aline, visits=7, spent=154_000, first=D(2024, 5, 1, 8), last=D(2026, 3, 1, 23, 30))
    plus = factories.make_customer(kigali, "+Plus Name", notes="")
    with_figures(plus, visits=1, spent=5_000, first=D(2025, 12, 31, 22, 30), last=D(2025, 12, 31, 22, 30))
    emoji = factories.make_customer(kigali, "Émilie Ñoño 😀", phone="0722 000 111", notes="-2", tags=["VIP"])
    SalonCustomer.update(phone_e164="+1+SUM(A1:A9)").where(SalonCustomer.id == emoji.id).execute()
    with_figures(emoji, visits=2, spent=30_500, first=D(2025, 1, 1, 9), last=D(2026, 2, 2, 9))
    factories.make_customer(kigali, "@at Never", email="aline@example.com", notes="\b\f\v bell\x07 \\n not a newline")
    factories.make_customer(kigali, "Doe, John", phone="+33 6 12 34 56 78", notes='say "hi", then, leave\r',
                            tags=["Regular"])
    chloe = factories.make_customer(paris, "Chloé Dupont", phone="+33 6 11 22 33 44", email="chloe@example.fr",
                                    notes="\t tab first", tags=["VIP"])
    with_figures(chloe, visits=2, spent=12_345, first=D(2025, 6, 30, 22, 15), last=D(2026, 3, 1, 23, 30))
    cents = factories.make_customer(paris, "Zoé Cents", notes="=HYPERLINK()")
    with_figures(cents, visits=1, spent=7, first=D(2026, 1, 1, 10), last=D(2026, 1, 1, 10))
    return kigali, paris


def exported_files(salons):
    """Every filter's export of every salon, one after the other, each after a line naming it."""
    parts = []
    for salon in salons:
        for arguments in FILTERS:
            customer_filter, errors = list_filter(arguments, salon)
            assert not errors
            parts.append(f"--- {salon.currency} {sorted(arguments.items())}\n".encode())
            parts.append(b"".join(export.stream_csv(customer_filter, salon, now=NOW)))
    return b"".join(parts)


def test_the_export_gives_the_same_bytes_as_before(app):
    golden = Path(str(GOLDEN).format(database="postgres" if is_postgres() else "sqlite"))
    assert exported_files(build_salons()) == golden.read_bytes()


@pytest.mark.postgres_only
def test_a_download_abandoned_midway_cancels_the_copy_and_leaves_the_connection_usable(app):
    salon = factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")
    base = factories.make_customer(salon, "Template Person")
    rows = [{field: getattr(base, field) for field in ("identity", "full_name", "name_search", "preferences",
                                                       "communication_preferences", "created_at", "updated_at")}
            | {"salon": salon.id, "notes": f"{number} " + "x" * 2_000} for number in range(600)]
    SalonCustomer.insert_many(rows).execute()
    customer_filter, _ = list_filter({}, salon)
    stream = export.stream_csv(customer_filter, salon, now=NOW)
    first = next(stream)  # the header and COPY's first ~64 KB of rows; the rest are still on the server
    assert first.startswith("\ufeff".encode()) and len(first) > 50_000
    stream.close()
    assert SalonCustomer.select().where(SalonCustomer.salon == salon).count() == 601  # the connection works
    event = AuditEvent.get(AuditEvent.action == "customer.export")
    assert event.detail["completed"] is False and 0 < event.detail["rows"] < 601
