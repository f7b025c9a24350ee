"""Flask commands: migrate, seed-demo, create-salon, create-user."""
from salon_web.models import Customer, Membership, Salon, SalonCustomer, User


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


def test_create_salon_and_user(app):
    result = run(app, "create-salon", "--name", "Nairobi Curls", "--slug", "nairobi", "--country", "ke",
                 "--timezone", "Africa/Nairobi", "--currency", "kes", "--language", "fr")
    assert result.exit_code == 0, result.output
    salon = Salon.get(Salon.slug == "nairobi")
    assert (salon.country, salon.currency, salon.language) == ("KE", "KES", "fr")
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
