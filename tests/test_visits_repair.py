"""`recompute-visits` repairs a badly broken salon with a few set statements: the ledger from its sources, the
figures from the ledger, imported visits left alone; afterwards `--check` finds nothing."""
import datetime
import itertools
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salon_web.db import db
from salon_web.models import Appointment, LedgerEpoch, Sale, SalonCustomer, Visit, utcnow
from salon_web.services import visits
from salon_web.services.analytics.months import month_grid
from salon_web.services.appointments import book_appointment, change_appointment_status
from salon_web.services.sales import post_sale, void_sale
from tests import factories
from tests.analytics_data import uncached_month_grid
from tests.test_tenant_sql import recorded_sql, unscoped

DAY = datetime.timedelta(days=1)
IMPORTED = "import"


def sale(salon, customer, amount, days_ago=0, **kwargs):
    return post_sale(salon, customer=customer, items=[("Cut", 1, amount)], sold_at=utcnow() - days_ago * DAY,
                     **kwargs)


def appointment(salon, customer, price, days_ago, status="completed"):
    booked = book_appointment(salon, customer=customer, service_name="Braids", price=price,
                              scheduled_at=utcnow() - days_ago * DAY)
    return change_appointment_status(booked, status)


def history(salon, names=("Aline", "Bosco", "Chantal", "Didier")):
    """Four cards with every kind of source, all written through the hook; return the cards and the sources."""
    cards = [factories.make_customer(salon, f"{name} Uwase") for name in names]
    sources = {
        "plain": [sale(salon, cards[0], 5_000, days_ago=30), sale(salon, cards[0], 7_000),
                  sale(salon, cards[2], 2_500, days_ago=200)],
        "unpaid appointment": appointment(salon, cards[0], 20_000, days_ago=60),
        "paid appointment": appointment(salon, cards[1], 15_000, days_ago=10),
        "voided": sale(salon, cards[1], 3_000, days_ago=5),
        "cancelled": appointment(salon, cards[1], 9_000, days_ago=3, status="cancelled"),
    }
    post_sale(salon, customer=cards[1], appointment=sources["paid appointment"], items=[("Braids", 1, 12_000)])
    void_sale(sources["voided"], reason="Keyed twice")
    visits.record_imported_visits(salon.id, [(cards[2].id, utcnow() - 400 * DAY, 9_000, 4_000 + cards[2].id),
                                             (cards[3].id, utcnow() - 90 * DAY, 4_000, 4_000 + cards[3].id)])
    return cards, sources


def ledger(salon):
    """The salon's ledger as {(source type, source id): (visit id, customer, when, amount)}."""
    rows = Visit.select(Visit.id, Visit.source_type, Visit.source_id, Visit.customer, Visit.occurred_at,
                        Visit.amount).where(Visit.salon == salon).tuples()
    return {(kind, source_id): (visit_id, customer, at, amount) for visit_id, kind, source_id, customer, at, amount in rows}


def without_ids(rows):
    return {key: values[1:] for key, values in rows.items()}


def figures(salon):
    query = SalonCustomer.select(SalonCustomer.id, SalonCustomer.visit_count, SalonCustomer.total_spent,
                                 SalonCustomer.first_visit_at, SalonCustomer.last_visit_at).where(
        SalonCustomer.salon == salon)
    return {customer_id: tuple(values) for customer_id, *values in query.tuples()}


def visit_of(kind, source_id):
    return (Visit.source_type == kind) & (Visit.source_id == source_id)


def shift(key, delta):
    """Move one ledger row in time (read, then write: SQLite has no interval arithmetic)."""
    at = Visit.select(Visit.occurred_at).where(visit_of(*key)).scalar()
    Visit.update(occurred_at=at + delta).where(visit_of(*key)).execute()


def break_everything(salon, cards, sources):
    """Damage the ledger and figures behind the hook's back in every way at once; return the check's prefixes."""
    first, second, third = sources["plain"]
    Visit.delete().where(visit_of("sale", first.id)).execute()  # missing
    Visit.delete().where(visit_of("appointment", sources["paid appointment"].id)).execute()  # missing
    for kind, source_id in (("sale", sources["voided"].id), ("appointment", sources["cancelled"].id),
                            ("sale", 987_654)):  # surplus: a voided sale, a cancelled appointment, no source at all
        Visit.insert(salon=salon, customer=cards[3], occurred_at=utcnow() - 7 * DAY, amount=1_111,
                     source_type=kind, source_id=source_id).execute()
    Visit.update(amount=Visit.amount + 1).where(visit_of("sale", second.id)).execute()  # wrong amount
    Visit.update(customer=cards[3]).where(visit_of("appointment", sources["unpaid appointment"].id)).execute()
    shift(("sale", third.id), -DAY)  # wrong time
    SalonCustomer.update(visit_count=0, total_spent=0, first_visit_at=None, last_visit_at=None).where(
        SalonCustomer.id == cards[0].id).execute()
    SalonCustomer.update(total_spent=SalonCustomer.total_spent + 50).where(SalonCustomer.id == cards[2].id).execute()
    ledger_keys = sorted([("appointment", sources["paid appointment"].id),
                          ("appointment", sources["unpaid appointment"].id), ("appointment", sources["cancelled"].id),
                          ("sale", first.id), ("sale", second.id), ("sale", third.id), ("sale", sources["voided"].id),
                          ("sale", 987_654)])
    return [f"ledger {kind} {source_id}" for kind, source_id in ledger_keys] + [
        f"salon_customer {card.id}" for card in sorted(cards, key=lambda card: card.id)]


def test_a_badly_broken_salon_is_repaired_to_what_its_sources_say(world):
    cards, sources = history(world.salon)
    history(world.other_salon, names=("Émilie", "Léa", "Chloé", "Manon"))
    good_ledger, good_figures = ledger(world.salon), figures(world.salon)
    other = (ledger(world.other_salon), figures(world.other_salon))
    assert visits.recompute_figures(check=True) == []
    expected = break_everything(world.salon, cards, sources)
    broken = (ledger(world.salon), figures(world.salon))

    drift = visits.recompute_figures(world.salon, check=True)
    assert [line.split(":")[0] for line in drift] == expected
    assert (ledger(world.salon), figures(world.salon)) == broken  # --check writes nothing
    assert ": has no visit, sources say visit of customer" in drift[expected.index(f"ledger sale {sources['plain'][0].id}")]
    assert drift[expected.index("ledger sale 987654")].endswith("amount 1111, sources say no visit")

    repair = visits.recompute_figures(world.salon)
    # The same ledger lines; figures are then compared with the repaired ledger: only the two damaged cards differ.
    assert repair[:-2] == drift[:-len(cards)]
    assert [line.split(":")[0] for line in repair[-2:]] == [f"salon_customer {cards[0].id}", f"salon_customer {cards[2].id}"]
    assert visits.recompute_figures(check=True) == []
    assert without_ids(ledger(world.salon)) == without_ids(good_ledger)
    assert figures(world.salon) == good_figures == visits.ledger_figures(world.salon)
    repaired = ledger(world.salon)
    for key, row in good_ledger.items():  # rows updated in place; imported visits untouched
        if key[0] == IMPORTED or key not in {("sale", sources["plain"][0].id),
                                             ("appointment", sources["paid appointment"].id)}:
            assert repaired[key] == row
    assert (ledger(world.other_salon), figures(world.other_salon)) == other


def test_a_salon_restored_without_its_ledger_is_rebuilt(world):
    cards, _ = history(world.salon)
    good_ledger, good_figures = ledger(world.salon), figures(world.salon)
    Visit.delete().where((Visit.salon == world.salon) & (Visit.source_type != IMPORTED)).execute()
    SalonCustomer.update(visit_count=0, total_spent=0, first_visit_at=None, last_visit_at=None).where(
        SalonCustomer.salon == world.salon).execute()
    drift = visits.recompute_figures(world.salon)
    assert sum(line.startswith("ledger ") for line in drift) == len(good_ledger) - 2  # all but the imported two
    assert sum(line.startswith("salon_customer ") for line in drift) == len(cards)
    assert without_ids(ledger(world.salon)) == without_ids(good_ledger)
    assert figures(world.salon) == good_figures
    assert visits.recompute_figures(check=True) == []


def test_the_repair_runs_as_many_statements_for_thirty_broken_rows_as_for_three(world):
    """Set-based: the number of statements does not grow with the drift (the row-by-row repair took ~5 a row)."""
    customers = [factories.make_customer(world.salon, f"Client {n}") for n in range(10)]
    posted = [sale(world.salon, customers[n % 10], 1_000 + n, days_ago=n) for n in range(30)]

    def statements_to_repair(broken):
        Visit.delete().where((Visit.salon == world.salon) & Visit.source_id.in_([s.id for s in broken])).execute()
        SalonCustomer.update(total_spent=0).where(SalonCustomer.salon == world.salon).execute()
        with recorded_sql(requests_only=False) as sql:
            drift = visits.recompute_figures(world.salon)
        assert sum(line.startswith("ledger ") for line in drift) == len(broken)
        assert visits.recompute_figures(world.salon, check=True) == []
        assert unscoped(sql) == []
        return len(sql)

    assert statements_to_repair(posted[:3]) == statements_to_repair(posted) <= 12


def test_a_backfill_refreshes_the_settled_months_of_a_salon_that_never_had_a_late_change(world):
    """Sales recorded before the hook existed: no ledger, no epoch row. Repairing every salon must still
    make the cached months stale (the epoch of a salon without a row has to be created, not just bumped)."""
    for days_ago, amount in ((100, 8_000), (160, 6_500)):
        at = utcnow() - days_ago * DAY
        Sale.insert(salon=world.salon, customer=world.customer, total=amount, status="completed", sold_at=at,
                    created_at=at).execute()
    assert not LedgerEpoch.select().where(LedgerEpoch.salon == world.salon).exists()
    stale = month_grid(world.salon)  # the settled months are cached from the empty ledger
    assert len(visits.recompute_figures()) == 3  # two ledger rows, one card
    assert month_grid(world.salon) == uncached_month_grid(world.salon) != stale


@pytest.mark.parametrize("operation", ["till sale", "void", "complete appointment"])
@pytest.mark.postgres_only
def test_a_hook_write_waiting_on_the_repair_is_counted_once(world, monkeypatch, operation):
    """The repair locks the salon's cards first; a till write that arrives meanwhile waits, then applies its
    change to the repaired ledger: nothing lost, nothing twice."""
    cards, sources = history(world.salon)
    Visit.delete().where((Visit.salon == world.salon) & (Visit.source_type != IMPORTED)).execute()
    SalonCustomer.update(visit_count=0, total_spent=0).where(SalonCustomer.salon == world.salon).execute()
    booked = book_appointment(world.salon, customer=cards[3], service_name="Colour", price=30_000,
                              scheduled_at=utcnow() - 2 * DAY)
    locked, errors = threading.Event(), []
    lock_salon_customers = visits._lock_salon_customers

    def lock_then_wait_for_the_till(salon_id):
        lock_salon_customers(salon_id)
        locked.set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not db.execute_sql(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone():
            time.sleep(0.02)

    def till():
        try:
            with db.connection_context():
                locked.wait(10)
                if operation == "till sale":
                    sale(world.salon, cards[3], 4_400, days_ago=20)
                elif operation == "void":
                    void_sale(Sale.get_by_id(sources["plain"][0].id), reason="Wrong customer")
                else:
                    change_appointment_status(Appointment.get_by_id(booked.id), "completed")
        except Exception as error:  # surfaced below
            errors.append(repr(error))

    monkeypatch.setattr(visits, "_lock_salon_customers", lock_then_wait_for_the_till)
    thread = threading.Thread(target=till)
    thread.start()
    assert visits.recompute_figures(world.salon)
    thread.join()
    assert not errors, errors
    assert visits.recompute_figures(check=True) == []
    assert figures(world.salon) == visits.ledger_figures(world.salon)


_salons = itertools.count(1)
damage = st.sampled_from(["keep", "delete", "amount", "customer", "time"])


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(damage, min_size=5, max_size=5), surplus=st.integers(0, 3),
       figures_damage=st.lists(st.tuples(st.integers(-3, 3), st.integers(-500, 500), st.booleans()),
                               min_size=4, max_size=4))
def test_any_damage_to_ledger_and_figures_is_repaired_by_one_pass(app, rows, surplus, figures_damage):
    number = next(_salons)
    salon = factories.make_salon(f"Salon {number}", slug=f"repair-{number}")
    cards, _ = history(salon)
    good_ledger, good_figures = ledger(salon), figures(salon)
    keys = sorted(key for key in good_ledger if key[0] != IMPORTED)
    assert len(keys) == len(rows)
    for key, what in zip(keys, rows):
        row = Visit.select().where((Visit.salon == salon) & visit_of(*key))
        if what == "delete":
            Visit.delete().where((Visit.salon == salon) & visit_of(*key)).execute()
        elif what == "amount":
            Visit.update(amount=Visit.amount + 7).where(visit_of(*key)).execute()
        elif what == "customer":
            owner = row.get().customer_id
            Visit.update(customer=next(card for card in cards if card.id != owner)).where(visit_of(*key)).execute()
        elif what == "time":
            shift(key, datetime.timedelta(minutes=5))
    for n in range(surplus):
        Visit.insert(salon=salon, customer=cards[n], occurred_at=utcnow() - n * DAY, amount=n,
                     source_type="appointment", source_id=800_000 + n).execute()
    for card, (count, spent, lose_dates) in zip(cards, figures_damage):
        changes = {SalonCustomer.visit_count: SalonCustomer.visit_count + count,
                   SalonCustomer.total_spent: SalonCustomer.total_spent + spent}
        if lose_dates:
            changes[SalonCustomer.last_visit_at] = None
        SalonCustomer.update(changes).where(SalonCustomer.id == card.id).execute()

    reported = [line for line in visits.recompute_figures(salon, check=True) if line.startswith("ledger ")]
    assert [line for line in visits.recompute_figures(salon) if line.startswith("ledger ")] == reported
    assert visits.recompute_figures(salon, check=True) == []
    assert without_ids(ledger(salon)) == without_ids(good_ledger)
    assert figures(salon) == good_figures
