"""The seven headline metrics equal a naive recomputation from the visit rows, to the cent (Hypothesis).

total, active, new, churned, average lifetime value, visit frequency and the top customers: the SQL reads the
customers' stored figures with naive-UTC day bounds; the recomputation here reads every ledger row and compares
local calendar dates in Python, so a wrong bound, a daylight-saving slip or a lost cent shows as a difference.
"""
import datetime
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salon_web.models import Visit
from salon_web.services.analytics import figures as headline_figures
from salon_web.services.clock import to_local
from tests import factories
from tests.analytics_data import TODAY, add_visit

_salons = itertools.count(1)

visit_strategy = st.tuples(
    st.one_of(st.sampled_from([0, 29, 30, 31, 89, 90, 91]), st.integers(0, 400)),  # local days before TODAY
    st.one_of(st.sampled_from([0, 23 * 60 + 59]), st.integers(0, 23 * 60 + 59)),  # local minute of that day
    st.integers(0, 250_000),  # amount in minor units
)
salon_strategy = st.fixed_dictionaries({
    "timezone": st.sampled_from(["Africa/Kigali", "Europe/Paris", "America/New_York", "Pacific/Auckland"]),
    "customers": st.lists(st.lists(visit_strategy, max_size=5), max_size=14),
})


def naive_headline(salon, today):
    """The seven headline metrics recomputed from the salon's visit rows, one customer at a time."""
    from salon_web.models import SalonCustomer

    people = list(SalonCustomer.in_salon(salon).order_by(SalonCustomer.id))
    visits = {person.id: [] for person in people}
    for visit in Visit.in_salon(salon):
        visits[visit.customer_id].append((to_local(visit.occurred_at, salon.timezone).date(), visit.amount))
    came = {pid: rows for pid, rows in visits.items() if rows}
    last = {pid: max(day for day, _ in rows) for pid, rows in came.items()}
    first = {pid: min(day for day, _ in rows) for pid, rows in came.items()}
    spent = {pid: sum(amount for _, amount in rows) for pid, rows in came.items()}
    cut = lambda days: today - datetime.timedelta(days=days)  # noqa: E731
    top = sorted(((total, pid) for pid, total in spent.items() if total > 0), reverse=True)[:10]
    return {
        "total": len(people),
        "active": sum(1 for day in last.values() if day >= cut(30)),
        "new": sum(1 for day in first.values() if day >= cut(30)),
        "churned": sum(1 for day in last.values() if day < cut(90)),
        "average_lifetime_value": round(sum(spent.values()) / len(came)) if came else None,
        "average_visits": sum(len(rows) for rows in came.values()) / len(came) if came else None,
        "top": [(pid, total) for total, pid in top],
    }


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=salon_strategy)
def test_headline_metrics_equal_a_recomputation_from_the_ledger(app, spec):
    n = next(_salons)
    salon = factories.make_salon(f"Salon {n}", timezone=spec["timezone"], slug=f"property-{n}")
    for index, visits in enumerate(spec["customers"]):
        customer = factories.make_customer(salon, f"Client {index}")
        for days, minute, amount in visits:
            moment = datetime.datetime.combine(TODAY - datetime.timedelta(days=days), datetime.time()) + \
                datetime.timedelta(minutes=minute)
            add_visit(customer, moment, amount)
    figures = headline_figures.headline(salon, TODAY)
    top = [(row["id"], row["total_spent"]) for row in headline_figures.top_customers(salon)]
    found = {key: figures[key] for key in ("total", "active", "new", "churned", "average_lifetime_value",
                                            "average_visits")}
    expected = naive_headline(salon, TODAY)
    assert found | {"top": top} == expected
