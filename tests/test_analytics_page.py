"""The analytics page as owners see it: figures with definitions, period selector, segments, charts."""
import datetime
import re

from playhouse.test_utils import count_queries

from salon_web.services.clock import local_today
from tests import factories
from tests.analytics_data import customer_with_visits


def _local_noon(salon, days_ago):
    day = local_today(salon.timezone) - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(12))


def _data(world):
    salon = world.salon
    customer_with_visits(salon, "Recent Regular", [(_local_noon(salon, d), 10_000) for d in (200, 100, 40, 5)])
    customer_with_visits(salon, "Gone Quiet", [(_local_noon(salon, 120), 4_000)])


def test_page_shows_figures_with_their_definitions(client, world, login_as):
    _data(world)
    login_as("owner")
    response = client.get(f"/salons/{world.salon.id}/customers/analytics")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for words in ("Total customers", "including those who booked", "Last visit within the last 30 days",
                  "the last more than 90 days ago", "Average lifetime value", "Average visit frequency",
                  "Top 10 customers by total spent", "Retention rate", "Rebooking rate", "Second visit within 60 days",
                  "Monthly cohorts", "Champions"):
        assert words in page, words
    assert "RWF 22,000" in page  # average lifetime value: (40,000 + 4,000) / 2
    assert page.index("Recent Regular") < page.index("Gone Quiet")  # top customers by total spent
    assert page.count('role="img"') == 3 and page.count("<title id=") == 3
    assert "style=" not in page and "<script>" not in page


def test_segment_links_use_the_customer_list_parameters(client, world, login_as):
    login_as("admin")
    page = client.get(f"/salons/{world.salon.id}/customers/analytics").get_data(as_text=True)
    links = re.findall(r'href="(/salons/\d+/customers\?[^"]+)"', page)
    assert f"/salons/{world.salon.id}/customers?min_visits=3&amp;days_since_last_visit=91&amp;sort=total_spent&amp;order=desc" in links
    assert len(links) == 8


def test_period_fragment_for_htmx(client, world, login_as):
    _data(world)
    login_as("owner")
    response = client.get(f"/salons/{world.salon.id}/customers/analytics?days=365",
                          headers={"HX-Request": "true", "HX-Target": "period"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Retention rate" in body
    assert "Monthly cohorts" not in body
    assert ">5<" in body  # 5 visits in the last 365 days


def test_history_restore_gets_the_whole_page(client, world, login_as):
    login_as("owner")
    response = client.get(f"/salons/{world.salon.id}/customers/analytics?days=90",
                          headers={"HX-Request": "true", "HX-Target": "period", "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_bad_period_is_a_message_not_an_error(client, world, login_as):
    login_as("owner")
    response = client.get(f"/salons/{world.salon.id}/customers/analytics?from=2026-13-45&to=soon")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a start date" in page and "showing the last 30 days instead" in page


def test_query_count_does_not_grow_with_customers(client, world, login_as):
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/analytics"
    with count_queries() as small:
        client.get(url)
    for index in range(15):
        customer_with_visits(world.salon, f"More {index}", [(_local_noon(world.salon, index * 20), 1_000)])
        factories.make_customer(world.salon, f"Never {index}")
    with count_queries() as large:
        client.get(url)
    assert large.count == small.count
