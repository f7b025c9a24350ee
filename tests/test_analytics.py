"""Analytics figures against a hand-built dataset (tests/analytics_data.py): same numbers on both databases."""
import datetime
import logging
import re

import pytest
from werkzeug.datastructures import MultiDict

from salon_web.services.analytics import figures as headline_figures
from salon_web.services.analytics import months as month_figures
from salon_web.services.analytics import page, periods, segments
from salon_web.services.analytics.periods import PeriodChoice
from salon_web.models import SalonCustomer
from salon_web.services.field_errors import FieldErrors
from salon_web.web_forms.analytics import PeriodForm, chosen_period
from tests import analytics_data, factories
from tests.analytics_data import D, TODAY, add_visit, customer_with_visits


@pytest.fixture
def salon(app):
    return factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")


@pytest.fixture
def people(salon):
    return analytics_data.build(salon)


def test_headline_figures(salon, people):
    figures = headline_figures.headline(salon, TODAY)
    assert figures["total"] == 7  # A-G, E never came
    assert figures["active"] == 2  # A (exactly 30 days) and F; not B (31 days, same UTC date as A)
    assert figures["new"] == 1  # A
    assert figures["churned"] == 2  # D (91 days) and G (120); not C (exactly 90), not E (never came)
    assert figures["never_came"] == 1
    assert figures["visitors"] == 6
    assert figures["average_lifetime_value"] == 23_167  # 139,000 / 6, rounded; the voided sale is not in it
    assert figures["average_visits"] == pytest.approx(13 / 6)
    # Gaps: C 197 d, D 338.5 d over 2 gaps, F 90 d over 3, G 75 d: 700.4993 days / 7 gaps.
    assert figures["average_days_between_visits"] == pytest.approx((197 + 338 + 719 / 1440 + 90 + 75) / 7)


def test_headline_of_a_salon_without_customers(salon):
    figures = headline_figures.headline(salon, TODAY)
    assert figures["total"] == 0 and figures["never_came"] == 0
    assert figures["average_lifetime_value"] is None and figures["average_visits"] is None
    assert headline_figures.top_customers(salon) == []


def test_other_salons_are_never_counted(salon, people):
    other = factories.make_salon("Atelier", "FR", "Europe/Paris", "EUR")
    customer_with_visits(other, "Zoé Ailleurs", [(D(2026, 3, 14, 10), 50_000)])
    assert headline_figures.headline(salon, TODAY)["total"] == 7
    assert [c["full_name"] for c in headline_figures.top_customers(salon)][0] == "D Ninetyone"


def test_top_customers_by_total_spent(salon, people):
    top = headline_figures.top_customers(salon)
    assert [(c["full_name"], c["total_spent"]) for c in top] == [
        ("D Ninetyone", 45_000), ("C Ninety", 30_000), ("F Regular", 20_000), ("B Thirtyone", 20_000),  # tie: newer record first
        ("G Seventyfive", 14_000), ("A Thirty", 10_000),
    ]


def test_top_customers_stops_at_ten(salon):
    for index in range(12):
        customer_with_visits(salon, f"Client {index:02d}", [(D(2026, 1, 1, 10), 1_000 * (index + 1))])
    top = headline_figures.top_customers(salon)
    assert len(top) == 10 and top[0]["total_spent"] == 12_000 and top[-1]["total_spent"] == 3_000


def test_period_against_the_previous_period(salon, people):
    period = periods.choose_period(TODAY, PeriodChoice(days=30))
    assert (period.first, period.last) == (datetime.date(2026, 2, 14), TODAY)
    summary = periods.period_summary(salon, period)
    assert (summary["previous"].first, summary["previous"].last) == (datetime.date(2026, 1, 15), datetime.date(2026, 2, 13))
    assert summary["current"]["visits"] == 2 and summary["current"]["revenue"] == 10_000  # F on 15 Feb and 15 Mar
    assert summary["before"]["visits"] == 3 and summary["before"]["revenue"] == 35_000  # A, B, F on 15 Jan
    assert summary["current"]["visitors"] == 1 and summary["before"]["visitors"] == 3
    assert summary["current"]["new"] == 0 and summary["before"]["new"] == 2  # A and B first came before 14 Feb
    assert summary["retention"] == {"base": 3, "retained": 1, "rate": pytest.approx(1 / 3)}  # F came back


def test_rebooking_rate(salon, people):
    period = periods.choose_period(TODAY, PeriodChoice(days=30))
    summary = periods.period_summary(salon, period)
    assert summary["current"]["rebooking"] == {"base": 1, "rebooked": 1, "rate": 1.0}  # F left booked
    # A's booking was cancelled and B booked nothing.
    assert summary["before"]["rebooking"] == {"base": 2, "rebooked": 0, "rate": 0.0}


def test_second_visit_conversion(salon, people):
    conversion = headline_figures.second_visit_conversion(salon, TODAY)
    # Cohort: first visit 19 Jun - 15 Dec 2025: F (second visit after 31 days) and G (after 75 days).
    assert (conversion["cohort_first"], conversion["cohort_last"]) == (datetime.date(2025, 6, 19), datetime.date(2025, 12, 15))
    assert conversion["base"] == 2
    assert [(w["days"], w["converted"]) for w in conversion["windows"]] == [(60, 1), (90, 2)]


def test_segments_partition_the_customers(salon, people):
    customer_with_visits(salon, "H Champion", [(D(2025, 11, 1, 10), 1_000), (D(2025, 12, 1, 10), 1_000),
                                               (D(2026, 1, 1, 10), 1_000), (D(2026, 2, 1, 10), 1_000),
                                               (D(2026, 3, 1, 10), 1_000)])
    customer_with_visits(salon, "I Lost", [(D(2025, 8, 27, 10), 500)])  # 200 days ago
    counts = {segment["key"]: segment["count"] for segment in segments.segments(salon, TODAY)}
    assert counts == {
        "champions": 1, "loyal": 1, "new": 1, "promising": 2, "at_risk": 1, "hibernating": 1, "lost": 1, "never_came": 1,
    }
    assert sum(counts.values()) == headline_figures.headline(salon, TODAY)["total"]


def test_monthly_figures_in_local_months(salon, people):
    months = month_figures.monthly(salon, TODAY)
    assert [m["month"] for m in months][0] == datetime.date(2025, 4, 1) and months[-1]["month"] == datetime.date(2026, 3, 1)
    by_month = {m["month"].strftime("%Y-%m"): m for m in months}
    assert [m["visits"] for m in months] == [0, 0, 2, 0, 0, 1, 0, 1, 3, 1, 3, 1]
    assert by_month["2025-12"]["revenue"] == 35_000  # D's 23:59 local visit (21:59 UTC) stays in December
    assert by_month["2026-02"]["revenue"] == 35_000
    assert [m["new"] for m in months] == [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 2, 0]
    assert [m["returning"] for m in months] == [0, 0, 1, 0, 0, 0, 0, 1, 2, 1, 1, 1]


def test_month_boundaries_follow_the_salon_zone_and_daylight_saving(app):
    salon = factories.make_salon("Brooklyn", "US", "America/New_York", "USD")
    # 23:30 on 31 Mar (EDT) is 03:30 UTC on 1 Apr; 00:30 on 1 Nov (EDT) is 04:30 UTC on 1 Nov.
    customer_with_visits(salon, "Late March", [(D(2026, 3, 31, 23, 30), 100)])
    customer_with_visits(salon, "Early November", [(D(2025, 11, 1, 0, 30), 200)])
    months = {m["month"].strftime("%Y-%m"): m for m in month_figures.monthly(salon, datetime.date(2026, 4, 2))}
    assert months["2026-03"]["visits"] == 1 and months["2026-04"]["visits"] == 0
    assert months["2025-11"]["revenue"] == 200 and months["2025-10"]["revenue"] == 0


def test_cohort_retention(salon, people):
    table = {row["month"].strftime("%Y-%m"): row for row in month_figures.cohorts(salon, TODAY)}
    assert len(table) == 12 and len(table["2025-04"]["retention"]) == 12 and len(table["2026-03"]["retention"]) == 1
    june = table["2025-06"]  # C: came in June and December
    assert june["size"] == 1
    assert [cell["count"] for cell in june["retention"]] == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    assert [cell["count"] for cell in table["2025-09"]["retention"]] == [1, 0, 1, 0, 0, 0, 0]  # G
    assert [cell["rate"] for cell in table["2025-12"]["retention"]] == [1.0, 1.0, 1.0, 1.0]  # F every month
    assert table["2026-02"]["size"] == 2 and table["2026-02"]["retention"][0]["rate"] == 1.0  # A and B
    assert table["2026-01"]["size"] == 0 and table["2026-01"]["retention"][0]["rate"] is None


@pytest.mark.parametrize(
    "days, first, last, error",
    [
        ("7", "", "", "days"),
        ("abc", "", "", "days"),
        ("", "2026-03-01", "", "to"),
        ("", "yesterday", "2026-03-01", "from"),
        ("", "2026-03-10", "2026-03-01", "to"),
        ("", "2026-03-10", "2026-04-01", "to"),
        ("", "2020-01-01", "2026-03-01", "from"),
    ],
)
def test_bad_period_values_fall_back_to_30_days_with_a_message(days, first, last, error):
    period, errors = chosen_period(PeriodForm(MultiDict({"days": days, "from": first, "to": last})), TODAY)
    assert error in errors
    assert (period.first, period.last) == (datetime.date(2026, 2, 14), TODAY)


def test_custom_period_and_its_previous_period():
    period, errors = chosen_period(PeriodForm(MultiDict({"from": "2026-03-01", "to": "2026-03-10"})), TODAY)
    assert not errors and period.days == 10
    assert (period.previous().first, period.previous().last) == (datetime.date(2026, 2, 19), datetime.date(2026, 2, 28))


def test_month_starts_cross_the_year():
    assert month_figures.month_starts(datetime.date(2026, 2, 10), 3) == [
        datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1),
    ]


def test_add_visit_keeps_figures_consistent(salon):
    customer = customer_with_visits(salon, "Back-dated", [(D(2026, 3, 1, 10), 100)])
    add_visit(customer, D(2026, 1, 1, 10), 50)
    customer = type(customer).get_by_id(customer.id)
    assert (customer.visit_count, customer.total_spent) == (2, 150)
    assert customer.first_visit_at == datetime.datetime(2026, 1, 1, 8)


def test_headline_with_segments_counts_the_same_in_one_scan(salon, people):
    combined = headline_figures.headline(salon, TODAY, with_segments=True)
    assert combined["segments"] == segments.segments(salon, TODAY)
    assert {k: v for k, v in combined.items() if k != "segments"} == headline_figures.headline(salon, TODAY)


@pytest.mark.parametrize(
    "choice, field",
    [
        (PeriodChoice(days=7), "days"),
        (PeriodChoice(first=datetime.date(2026, 3, 10), last=datetime.date(2026, 3, 1)), "last"),
        (PeriodChoice(first=datetime.date(2026, 3, 10), last=datetime.date(2026, 4, 1)), "last"),
        (PeriodChoice(first=datetime.date(2020, 1, 1), last=datetime.date(2026, 3, 1)), "first"),
    ],
)
def test_the_service_refuses_periods_the_page_does_not_offer_by_domain_field(choice, field):
    with pytest.raises(FieldErrors) as refused:
        periods.choose_period(TODAY, choice)
    assert list(refused.value.errors) == [field]


def test_no_choice_is_the_last_30_days():
    assert periods.choose_period(TODAY, PeriodChoice()) == periods.Period(datetime.date(2026, 2, 14), TODAY)


@pytest.mark.parametrize("query, choice", [
    ({"days": " 90 "}, PeriodChoice(days=90)),
    ({"days": "90", "from": "2026-03-01", "to": "2026-03-10"},
     PeriodChoice(first=datetime.date(2026, 3, 1), last=datetime.date(2026, 3, 10))),  # dates win over days
    ({"from": "2026-03-01T10:00", "to": "2026-03-10"},
     PeriodChoice(first=datetime.date(2026, 3, 1), last=datetime.date(2026, 3, 10))),  # typed text is cut to a date
    ({}, PeriodChoice()),
])
def test_the_period_form_gives_typed_values(query, choice):
    form = PeriodForm(MultiDict(query))
    assert form.validate() and form.choice() == choice


@pytest.mark.parametrize("days", ["³", "7.5", "1e3", "-"])
def test_odd_digits_in_days_are_refused_not_a_crash(days):
    period, errors = chosen_period(PeriodForm(MultiDict({"days": days})), TODAY)
    assert "days" in errors and period == periods.default_period(TODAY)


def test_segment_rules_are_named_conditions_on_the_salons_customers(salon, people):
    cutoffs = segments.CutOffs.on(TODAY, salon.timezone)
    for segment in segments.SEGMENTS:
        condition = segments.rules(cutoffs)[segment["key"]]
        sql, params = SalonCustomer.in_salon(salon).where(condition).sql()
        assert "salon_id" in sql and "?" not in sql.split("WHERE", 1)[0]
        assert all(not isinstance(value, str) for value in params)  # instants and numbers, no SQL text
    counted = {s["key"]: s["count"] for s in segments.segments(salon, TODAY)}
    for key, condition in segments.rules(cutoffs).items():
        assert SalonCustomer.in_salon(salon).where(condition).count() == counted[key]


def test_every_table_of_every_analytics_statement_names_salon_id(salon, people, caplog):
    """Also each subquery's own table: the second visit's look-up in the ledger, the rebooking's appointments."""
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        page.analytics_page(salon, periods.default_period(TODAY), TODAY)
    statements = [record.msg[0] for record in caplog.records if isinstance(record.msg, tuple)]
    aliased = [(sql, alias) for sql in statements
               for alias in re.findall(r"\b(?:FROM|JOIN)\s+(?:visit|salon_customer|appointment)\s+(?!WHERE\b)(\w+)", sql)]
    assert len(aliased) >= 6
    for sql, alias in aliased:
        assert f"{alias}.salon_id" in sql, (alias, sql)
