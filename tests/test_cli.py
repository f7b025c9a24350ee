"""Flask commands: migrate, seed-demo, create-salon, create-user."""
from peewee import fn

from salon_web.models import Customer, Membership, Salon, SalonCustomer, Tag, User
from salon_web.services.passwords import verify_password


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_migrate_twice_is_a_no_op(app):
    result = run(app, "migrate")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_seed_demo_creates_the_demo_world_once(app):
    result = run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    counts = (Salon.select().count(), User.select().count(), SalonCustomer.select().count(), Customer.select().count())
    assert counts[0] == 3
    assert {"admin@example.com", "owner@example.com", "employee@example.com"} <= {u.email for u in User.select()}
    assert run(app, "seed-demo").exit_code == 0
    again = (Salon.select().count(), User.select().count(), SalonCustomer.select().count(), Customer.select().count())
    assert again == counts
    assert "not loaded" in run(app, "seed-demo", "--if-empty").output


def test_seed_demo_salons_differ_and_kigali_uses_rwf_and_rwandan_phones(app):
    run(app, "seed-demo")
    salons = {s.slug: s for s in Salon.select()}
    assert {s.currency for s in salons.values()} == {"RWF", "EUR", "USD"}
    assert len({s.timezone for s in salons.values()}) == 3
    kigali = salons["kigali-glow"]
    phones = [c.phone_e164 for c in SalonCustomer.select().where(SalonCustomer.salon == kigali)]
    assert len(phones) >= 200 and all(p.startswith("+250") for p in phones)
    assert Tag.select().where(Tag.salon == kigali).count() > 0


def test_seed_demo_shares_identities_but_not_records(app):
    run(app, "seed-demo")
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


def test_seed_demo_users_have_their_roles(app):
    run(app, "seed-demo")
    owner = User.get(User.email == "owner@example.com")
    assert [(m.salon.slug, m.role) for m in owner.memberships] == [("kigali-glow", "owner")]
    assert User.get(User.email == "admin@example.com").is_admin
    assert verify_password(owner.password_hash, app.config["DEMO_PASSWORD"])


def test_create_salon_and_user(app):
    result = run(app, "create-salon", "--name", "Nairobi Curls", "--slug", "nairobi", "--country", "ke",
                 "--timezone", "Africa/Nairobi", "--currency", "kes")
    assert result.exit_code == 0, result.output
    salon = Salon.get(Salon.slug == "nairobi")
    assert (salon.country, salon.currency) == ("KE", "KES")
    result = run(app, "create-user", "Wanjiru@Example.com", "--name", "Wanjiru", "--salon", "nairobi",
                 "--role", "owner", "--password", "a-long-password")
    assert result.exit_code == 0, result.output
    user = User.get(User.email == "wanjiru@example.com")
    assert Membership.get(Membership.user == user).role == "owner"


def test_create_commands_refuse_bad_input(app):
    assert run(app, "create-salon", "--name", "X", "--slug", "x", "--country", "KE", "--timezone", "Mars/Base",
               "--currency", "KES").exit_code != 0
    assert run(app, "create-user", "a@example.com", "--name", "A", "--password", "short").exit_code != 0
    assert run(app, "create-user", "a@example.com", "--name", "A", "--password", "long-enough-pw",
               "--salon", "missing").exit_code != 0
    assert User.select().count() == 0
