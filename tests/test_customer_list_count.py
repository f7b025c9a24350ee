"""Past the count cap the list shows "More than ..." at once and fetches the exact count after the page shows."""
import html
import re

import pytest

from salon_web.services import customer_page
from tests.list_helpers import make


@pytest.fixture
def crowded(world, monkeypatch):
    """Six customers of the salon (Aline Uwase is the world's) against a cap of 2."""
    monkeypatch.setattr(customer_page, "COUNT_CAP", 2)
    for index in range(5):
        make(world.salon, f"Client {index} Mugisha", days_ago=index * 10, visits=1, spent=1_000)
    return world


def count_url(page):
    """The count line's lazy request, as the browser would send it."""
    found = re.search(r'hx-get="([^"]+/customers/count[^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def test_the_capped_list_shows_more_than_and_fetches_the_exact_count(client, crowded, login_as):
    login_as("employee")
    page = client.get(f"/salons/{crowded.salon.id}/customers").get_data(as_text=True)
    assert "More than 2 customers" in page and 'hx-trigger="load"' in page
    response = client.get(count_url(page), headers={"HX-Request": "true", "HX-Target": "result-count"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="result-count"' in body and ">6 customers<" in body
    assert client.get(count_url(page)).get_data(as_text=True) == body  # without htmx: the same line


def test_the_exact_count_follows_the_filter(client, crowded, login_as):
    login_as("owner")
    page = client.get(f"/salons/{crowded.salon.id}/customers?q=mugisha").get_data(as_text=True)
    assert "q=mugisha" in count_url(page)
    assert ">5 customers<" in client.get(count_url(page), headers={"HX-Request": "true"}).get_data(as_text=True)
    one = client.get(f"/salons/{crowded.salon.id}/customers/count?q=Client+3", headers={"HX-Request": "true"})
    assert ">1 customer<" in one.get_data(as_text=True)


def test_under_the_cap_the_count_is_exact_and_nothing_is_fetched(client, world, login_as):
    login_as("employee")
    page = client.get(f"/salons/{world.salon.id}/customers").get_data(as_text=True)
    assert ">1 customer<" in page and count_url(page) is None


def test_a_bad_filter_gets_422_and_a_message(client, crowded, login_as):
    login_as("employee")
    response = client.get(f"/salons/{crowded.salon.id}/customers/count?min_visits=lots", headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "could not be counted" in response.get_data(as_text=True)


@pytest.mark.parametrize("query, expected", [
    ("", "More than 2 customers"),  # the first statement's rows carry the count
    ("?sort=last_visit&order=desc&q=never", "2 customers"),  # nobody matching ever came: the count is asked apart
    ("?q=nobody", "No customers match this search."),
])
def test_the_count_is_right_whether_or_not_the_page_has_rows_to_carry_it(client, crowded, login_as, query, expected):
    make(crowded.salon, "Never Came One")
    make(crowded.salon, "Never Came Two")
    login_as("owner")
    page = client.get(f"/salons/{crowded.salon.id}/customers{query}").get_data(as_text=True)
    assert expected in page


def test_a_page_past_the_last_row_still_counts_the_matches(crowded, world):
    from salon_web.services.customer_filter import CustomerFilter

    customer_filter = CustomerFilter(per_page=10, page=5)
    page = customer_page.customer_page(customer_filter, world.salon)
    assert page.customers == [] and page.total == 3  # capped at COUNT_CAP + 1
