"""The demo world `flask seed-demo` builds, seeded once for the module: these tests only read it."""
import pytest
from peewee import fn

from salon_web import create_app
from salon_web.models import Customer, Salon, SalonCustomer, Tag, User
from salon_web.services.passwords import verify_password
from tests.conftest import clean_database


@pytest.fixture(scope="module")
def demo_app(database):
    """An app over the demo world, seeded through the real command once for every test here."""
    clean_database(database)
    app = create_app({"TESTING": True, "DATABASE": database, "SECRET_KEY": "test-secret", "ENV": "testing"})
    with database.connection_context():
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        yield app


def test_seed_demo_salons_differ_and_kigali_uses_rwf_and_rwandan_phones(demo_app):
    salons = {s.slug: s for s in Salon.select()}
    assert {s.currency for s in salons.values()} == {"RWF", "EUR", "USD"}
    assert len({s.timezone for s in salons.values()}) == 3
    kigali = salons["kigali-glow"]
    phones = [c.phone_e164 for c in SalonCustomer.select().where(SalonCustomer.salon == kigali)]
    assert len(phones) >= 200 and all(p.startswith("+250") for p in phones)
    assert Tag.select().where(Tag.salon == kigali).count() > 0


def test_seed_demo_shares_identities_but_not_records(demo_app):
    shared = (
        Customer.select()
        .join(SalonCustomer)
        .group_by(Customer.id)
        .having(fn.COUNT(SalonCustomer.id) > 1)
    )
    assert shared.count() >= 10
    identity = shared.first()
    records = list(SalonCustomer.select().where(SalonCustomer.identity == identity))
    assert len({r.salon_id for r in records}) == len(records)


def test_seed_demo_users_have_their_roles(demo_app):
    owner = User.get(User.email == "owner@example.com")
    assert [(m.salon.slug, m.role) for m in owner.memberships] == [("kigali-glow", "owner")]
    assert User.get(User.email == "admin@example.com").is_admin
    assert verify_password(owner.password_hash, demo_app.config["DEMO_PASSWORD"])
