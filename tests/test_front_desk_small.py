"""Issue 15's small things: an e-mail domain finds its customers, the list's page-size choice."""
import pytest

from salon_web.models import SalonCustomer
from salon_web.services.customer_search import search_condition
from tests import factories

HX = {"HX-Request": "true", "HX-Target": "results"}


def _found(salon, q):
    condition = search_condition(q, salon.country)
    return sorted(c.full_name for c in SalonCustomer.in_salon(salon).where(condition))


@pytest.fixture
def people(world):
    factories.make_customer(world.salon, "Gloria Gmail", email="gloria@gmail.com")
    factories.make_customer(world.salon, "Yves Yahoo", email="yves@yahoo.fr")
    factories.make_customer(world.salon, "Jean.Claude Dot")
    factories.make_customer(world.other_salon, "Other Gmail", email="other@gmail.com")
    return world


def test_a_domain_finds_its_e_mail_addresses(people):
    salon = people.salon
    assert _found(salon, "gmail.com") == ["Gloria Gmail"]
    assert _found(salon, "GMAIL.COM ") == ["Gloria Gmail"]
    assert _found(salon, "example.com") == ["Aline Uwase"]
    assert _found(salon, "yahoo.fr") == ["Yves Yahoo"]
    assert _found(salon, "@gmail.com") == ["Gloria Gmail"]  # as before
    assert _found(salon, "jean.claude") == ["Jean.Claude Dot"]  # a dotted name still matches its name
    assert _found(salon, "orange.fr") == []


def test_domain_search_through_the_page(client, people, login_as):
    login_as("employee")
    html = client.get(f"/salons/{people.salon.id}/customers?q=gmail.com", headers=HX).get_data(as_text=True)
    assert "Gloria Gmail" in html and "Other Gmail" not in html and "Aline Uwase" not in html


def test_the_list_offers_a_page_size_choice(client, world, login_as):
    login_as("employee")
    for n in range(3):
        factories.make_customer(world.salon, f"Extra {n}")
    page = client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    assert '<select id="per-page"' in page and 'name="per_page" form="filters"' in page
    assert '<option value="25" selected>' in page
    fragment = client.get(f"/salons/{world.salon.id}/customers?per_page=2", headers=HX).get_data(as_text=True)
    assert '<option value="2" selected>' in fragment and 'rel="next"' in fragment
    assert fragment.count('class="customer-name"') == 2
