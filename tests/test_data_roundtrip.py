"""A salon's data is its own: the everything export's customers file imports into an empty salon card for card."""
import datetime
import io
import zipfile

from salon_web.models import SalonCustomer
from tests import factories

CARD_FIELDS = ("full_name", "phone_e164", "email", "birthday", "notes")


def cards(salon):
    rows = SalonCustomer.in_salon(salon).order_by(SalonCustomer.full_name)
    return [(tuple(getattr(card, f) or None for f in CARD_FIELDS), tags_of(salon, card)) for card in rows]


def tags_of(salon, card):
    from salon_web.models import CustomerTag, Tag
    query = (Tag.select(Tag.name).join(CustomerTag, on=(CustomerTag.tag == Tag.id))
             .where((CustomerTag.salon == salon.id) & (CustomerTag.customer == card.id)))
    return tuple(sorted(name for (name,) in query.tuples()))


def test_everything_export_round_trips_through_the_import(app, client, world, login_as, tmp_path):
    salon = world.salon
    factories.make_customer(salon, "Béatrice Mukamana", phone="+250788000111", email="bea@example.com",
                            birthday=datetime.date(1990, 2, 28), notes="Colour 5.3; prefers =mornings",
                            tags=("VIP", "Balayage fan"))
    factories.make_customer(salon, "Claude Habimana", phone="+250722000222")
    factories.make_customer(salon, "=cmd|' /C calc'!A0", phone="+250733000333")  # a hostile name survives as text
    login_as("owner")
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/salons/{salon.id}/export/everything").get_data()))
    path = tmp_path / "customers.csv"
    path.write_bytes(archive.read("customers.csv"))

    empty = factories.make_salon("Kigali Glow II", "RW", "Africa/Kigali", "RWF")
    result = app.test_cli_runner().invoke(args=["import-customers", str(empty.id), str(path)])
    assert result.exit_code == 0, result.output

    assert cards(empty) == cards(salon)
    assert len(cards(empty)) == 4
