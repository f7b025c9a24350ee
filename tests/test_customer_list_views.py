"""The customer list page: full page versus htmx fragment, errors beside filters, roles, no N+1."""
import re

import pytest
from playhouse.test_utils import assert_query_count, count_queries

from salon_web.models import AuditEvent, Tag
from tests.list_helpers import make

HX = {"HX-Request": "true", "HX-Target": "results"}


def url(world, query=""):
    return f"/salons/{world.salon.id}/customers{query}"


@pytest.mark.parametrize("role", ["admin", "owner", "employee"])
def test_each_role_sees_the_list(client, world, login_as, role):
    login_as(role)
    response = client.get(url(world))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Aline Uwase" in page and "Émilie Martin" not in page
    assert "1 customer<" in page
    assert ("Export CSV" in page) == (role != "employee")


def test_another_salons_id_is_404_and_audited(client, world, login_as):
    login_as("owner")
    response = client.get(f"/salons/{world.other_salon.id}/customers?q=emilie")
    assert response.status_code == 404
    assert AuditEvent.select().where(AuditEvent.action == "access.denied").count() == 1


def test_htmx_gets_the_results_fragment_and_full_requests_the_page(client, world, login_as):
    login_as("employee")
    fragment = client.get(url(world, "?q=aline"), headers=HX)
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Aline Uwase" in body and 'id="filters"' not in body
    assert "HX-Request" in fragment.headers["Vary"]
    full = client.get(url(world, "?q=aline")).get_data(as_text=True)
    assert "<html" in full and 'id="filters"' in full and 'value="aline"' in full
    restore = client.get(url(world, "?q=aline"), headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("?min_visits=lots", "Enter a whole number of visits"),
    ("?sort=phone", "Sort by last visit"),
    ("?per_page=1000", "between 1 and 100"),
    ("?cursor=garbage", "page link is out of date"),
    ("?tags=Unknown", "No tag named"),
    ("?min_spent=abc", "Enter an amount"),
])
def test_invalid_values_answer_422_with_the_message_never_500(client, world, login_as, query, message):
    login_as("owner")
    full = client.get(url(world, query))
    assert full.status_code == 422
    assert message in full.get_data(as_text=True)
    fragment = client.get(url(world, query), headers=HX)
    assert fragment.status_code == 422
    body = fragment.get_data(as_text=True)
    assert message in body and "<html" not in body
    assert 'hx-swap-oob="true"' in body  # the message also lands beside its filter


def test_the_url_is_the_state_sort_links_and_pager(client, world, login_as):
    for number in range(30):
        make(world.salon, f"Client {number:02d}", days_ago=number, visits=1, spent=1000 * number)
    login_as("owner")
    page = client.get(url(world, "?sort=total_spent&order=desc")).get_data(as_text=True)
    assert 'aria-sort="descending"' in page
    assert "sort=total_spent&amp;order=asc" in page  # clicking again flips the order
    next_link = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "cursor=" in next_link and "sort=total_spent" in next_link
    second = client.get(next_link, headers=HX).get_data(as_text=True)
    assert "Client 04" in second and "Client 29" not in second
    assert 'rel="prev"' in second


def test_query_count_does_not_grow_with_rows(client, world, login_as):
    for number in range(60):
        make(world.salon, f"Client {number:02d}", days_ago=number, visits=2, spent=5000, tags=["Regular", "VIP"])
    login_as("owner")
    counts = []
    for per_page in (5, 50):  # both inside the customers who came (the never-came boundary adds one)
        with count_queries() as counter:
            assert client.get(url(world, f"?per_page={per_page}&tags=VIP"), headers=HX).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    with assert_query_count(counts[0]):  # the full page adds only the header's queries, never per row
        response = client.get(url(world, "?per_page=50&tags=VIP"), headers=HX)
    assert response.get_data(as_text=True).count('class="tag"') >= 100
    assert counts[0] <= 12


def test_row_names_link_to_the_detail_page_only_when_it_exists(client, world, login_as, app):
    login_as("owner")
    page = client.get(url(world)).get_data(as_text=True)
    has_detail = "customer_detail.show" in app.view_functions
    assert (f"/customers/{world.customer.id}\"" in page) == has_detail


def _crowd_with_segment(world):
    """Thirty tagged customers and a saved segment: everything the full page shows."""
    from salon_web.models import SavedSegment

    for number in range(30):
        make(world.salon, f"Client {number:02d}", days_ago=number, visits=2, spent=5000, tags=["Regular", "VIP"])
    SavedSegment.create(salon=world.salon, name="Regulars", query="tags=Regular")


@pytest.mark.parametrize("role, query, headers, expected", [
    # user with salon, role and the salon switcher (one statement), rows with their capped count and their tags
    # (one), and one statement for the filters' choices: tag names, the service menu of the "had a service" filter
    # (issue 15) and the segment links
    ("owner", "", {}, 3),
    # a tag filter adds its one lookup of the named tags
    ("owner", "?tags=VIP", {}, 4),
    # the results block: no choices at all (the bulk form's tag suggestions stay on the page around it)
    ("owner", "", HX, 2),
    ("owner", "?tags=VIP", HX, 3),
    ("employee", "", HX, 2),
    # a refused filter: the page shows the form and the messages, the block only the messages
    ("owner", "?min_visits=lots", {}, 2),
    ("owner", "?min_visits=lots", HX, 1),
])
def test_the_page_and_its_fragment_run_only_what_they_show(client, world, login_as, role, query, headers, expected):
    _crowd_with_segment(world)
    login_as(role)
    client.get(url(world, query), headers=headers)  # the session's first request may refresh it
    with assert_query_count(expected):
        response = client.get(url(world, query), headers=headers)
    assert response.status_code in (200, 422)
    assert ("Regulars" in response.get_data(as_text=True)) == (not headers)


def test_every_statement_of_the_list_names_the_salon(client, world, login_as):
    _crowd_with_segment(world)
    login_as("owner")
    tenant_tables = ('"salon_customer"', '"customer_tag"', '"tag"', '"saved_segment"')
    for query in ("?tags=VIP&tag_mode=all", "?tags=VIP&per_page=5"):
        with count_queries() as counter:
            assert client.get(url(world, query)).status_code == 200
        for statement in counter.get_queries():
            sql = statement.msg[0]
            for table in tenant_tables:
                if f"FROM {table}" in sql or f"JOIN {table}" in sql:
                    assert sql.count("salon_id") >= sql.count(f"{table} AS"), sql


def test_a_name_is_escaped_wherever_a_row_repeats_it(client, world, login_as):
    """A row names its customer five times (link, the checkbox's and the menus' labels): escaped in each."""
    world.customer.full_name = 'Ann <b>"&"</b>'
    world.customer.save()
    login_as("owner")
    page = client.get(url(world, "")).get_data(as_text=True)
    escaped = "Ann &lt;b&gt;&#34;&amp;&#34;&lt;/b&gt;"
    assert "<b>" not in page
    assert page.count(escaped) == 5
    assert f'aria-label="Select {escaped}"' in page and f"for {escaped}</span>" in page


def test_the_bulk_forms_tag_suggestions_come_with_the_page_not_with_each_search(client, world, login_as):
    _crowd_with_segment(world)
    Tag.create(salon=world.other_salon, name="Other salon's tag")
    login_as("owner")
    page = client.get(url(world, "")).get_data(as_text=True)
    results, _, after_results = page.partition('id="results"')[2].partition('<datalist id="bulk-tag-names">')
    assert 'list="bulk-tag-names"' in results  # the bulk form inside the results points at it
    suggestions = after_results.split("</datalist>")[0]
    assert '<option value="Regular">' in suggestions and '<option value="VIP">' in suggestions
    assert "Other salon" not in page
    fragment = client.get(url(world, "?q=client"), headers=HX).get_data(as_text=True)
    assert 'list="bulk-tag-names"' in fragment and "<datalist" not in fragment
    login_as("employee")
    assert "<datalist" not in client.get(url(world, "")).get_data(as_text=True)  # no bulk form, no suggestions
