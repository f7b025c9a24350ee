"""The top bar's salon switcher: the user's first salons by name, read with the session in the same statement."""
import re

from playhouse.test_utils import count_queries

from salon_web.models import Membership
from salon_web.services.salons import first_salons
from salon_web.template_helpers import SWITCHER_LIMIT
from tests import factories

# Names whose order depends on case, accents and ties, so a different ordering would show.
NAMES = ["zèbre", "Alpha", "alpha", "Ébène", "Beta", "beta", "Alpha", "Zulu", "Mid", "éclat", "Ñandu"]


def _switcher_names(page):
    panel = page.split('class="menu salon-switcher"', 1)[1].split("</details>", 1)[0]
    return re.findall(r'<button type="submit" class="menu__item[^"]*"\s*(?:aria-current="true")?>([^<]*)</button>', panel)


def test_the_switcher_lists_the_users_first_salons_by_name(client, world, login_as):
    owner = login_as("owner")
    for name in NAMES:
        Membership.create(user=owner, salon=factories.make_salon(name), role="employee")
    page = client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    expected = [salon.name for salon in first_salons(owner, SWITCHER_LIMIT)]
    assert _switcher_names(page) == expected and len(expected) == SWITCHER_LIMIT
    assert "All salons…" in page


def test_the_switcher_costs_no_statement_of_its_own(client, world, login_as):
    owner = login_as("owner")
    Membership.create(user=owner, salon=world.other_salon, role="employee")
    url = f"/salons/{world.salon.id}/today"
    client.get(url)
    with count_queries() as counter:
        page = client.get(url).get_data(as_text=True)
    assert not any('WHERE m."user_id"' in str(sql.msg) for sql in counter.get_queries())
    assert _switcher_names(page) == ["Atelier Lumière", "Kigali Glow"]
    assert "Salon list" in page and "All salons…" not in page


def test_an_admin_switches_between_every_salon(client, world, login_as):
    login_as("admin")
    page = client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    assert _switcher_names(page) == ["Atelier Lumière", "Kigali Glow"]


def test_the_switcher_shows_only_the_users_own_salons(client, world, login_as):
    login_as("employee")
    page = client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    assert _switcher_names(page) == ["Kigali Glow"]
