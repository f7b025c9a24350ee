"""The visit hook: figures follow sales and appointments exactly, and never drift from the ledger."""
import datetime

import pytest

from salon_web.models import Appointment, AuditEvent, Sale, SalonCustomer, Visit, utcnow
from salon_web.services import visits
from salon_web.services.appointments import TransitionNotAllowed, book_appointment, change_appointment_status
from salon_web.services.field_errors import FieldErrors
from salon_web.services.sales import post_sale, void_sale
from tests import factories

DAY = datetime.timedelta(days=1)


def figures(customer):
    fresh = SalonCustomer.get_by_id(customer.id)
    return fresh.visit_count, fresh.total_spent, fresh.first_visit_at, fresh.last_visit_at


def assert_no_drift(salon=None):
    assert visits.recompute_figures(salon, check=True) == []


def sale(salon, customer, amount, **kwargs):
    return post_sale(salon, customer=customer, items=[("Haircut", 1, amount)], **kwargs)


def test_a_sale_is_one_visit_with_its_total(world):
    now = utcnow()
    posted = post_sale(world.salon, customer=world.customer, items=[("Cut", 1, 5000), ("Oil", 2, 1500)], now=now)
    assert posted.total == 8000
    assert figures(world.customer) == (1, 8000, now, now)
    assert Visit.select().count() == 1
    assert_no_drift()


def test_back_dated_sale_moves_first_visit_only(world):
    now = utcnow()
    sale(world.salon, world.customer, 1000, now=now)
    sale(world.salon, world.customer, 2000, sold_at=now - 30 * DAY, now=now)
    assert figures(world.customer) == (2, 3000, now - 30 * DAY, now)
    assert_no_drift()


def test_future_sale_is_refused(world):
    with pytest.raises(FieldErrors) as error:
        sale(world.salon, world.customer, 1000, sold_at=utcnow() + DAY)
    assert "future" in error.value.errors["sold_at"]
    assert Sale.select().count() == 0 and figures(world.customer)[0] == 0


def test_repeated_idempotency_key_returns_the_first_sale(world):
    first = sale(world.salon, world.customer, 1000, idempotency_key="k1")
    again = sale(world.salon, world.customer, 1000, idempotency_key="k1")
    assert again.id == first.id and again.total == 1000
    assert Sale.select().count() == 1
    assert figures(world.customer)[:2] == (1, 1000)


@pytest.mark.parametrize("change", ["items", "customer", "user"])
def test_a_key_reused_for_another_sale_or_by_another_user_is_refused(world, change):
    owner, employee = world.users["owner"], world.users["employee"]
    other = factories.make_customer(world.salon, "Bea Mukamana")
    sale(world.salon, world.customer, 1000, idempotency_key="k1", user=owner)
    second = dict(customer=world.customer, items=[("Haircut", 1, 1000)], idempotency_key="k1", user=owner)
    second.update({"items": {"items": [("Other", 3, 999)]}, "customer": {"customer": other},
                   "user": {"user": employee}}[change])
    with pytest.raises(FieldErrors) as error:
        post_sale(world.salon, **second)
    assert "already used for another sale" in error.value.errors["idempotency_key"]
    assert Sale.select().count() == 1
    assert figures(world.customer)[:2] == (1, 1000) and figures(other)[0] == 0


@pytest.mark.parametrize("key", [None, "k-cancelled"])
def test_a_sale_for_a_cancelled_appointment_is_refused_with_or_without_a_key(world, key):
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Cut", price=5000,
                                   scheduled_at=utcnow() - DAY)
    change_appointment_status(appointment, "cancelled")
    with pytest.raises(FieldErrors) as error:
        post_sale(world.salon, customer=world.customer, appointment=appointment, items=[("Cut", 1, 5000)],
                  idempotency_key=key)
    assert "cancelled" in error.value.errors["appointment"]
    assert Sale.select().count() == 0 and figures(world.customer)[0] == 0


def test_same_key_in_another_salon_is_another_sale(world):
    sale(world.salon, world.customer, 1000, idempotency_key="k1")
    sale(world.other_salon, world.other_customer, 700, idempotency_key="k1")
    assert Sale.select().count() == 2


def test_void_reverses_the_visit_and_keeps_the_sale(world):
    now = utcnow()
    old = sale(world.salon, world.customer, 1000, sold_at=now - 10 * DAY, now=now)
    new = sale(world.salon, world.customer, 2500, now=now)
    void_sale(new, reason="Typed the wrong amount", user=world.users["owner"])
    assert figures(world.customer) == (1, 1000, now - 10 * DAY, now - 10 * DAY)
    voided = Sale.get_by_id(new.id)
    assert voided.status == "voided" and voided.void_reason == "Typed the wrong amount"
    void_sale(voided, reason="again")  # voiding twice changes nothing
    assert figures(world.customer) == (1, 1000, now - 10 * DAY, now - 10 * DAY)
    assert AuditEvent.select().where(AuditEvent.action == "sale.voided").count() == 1
    void_sale(old, reason="test")
    assert figures(world.customer) == (0, 0, None, None)
    assert_no_drift()


def test_void_needs_a_reason(world):
    posted = sale(world.salon, world.customer, 1000)
    with pytest.raises(FieldErrors):
        void_sale(posted, reason="  ")
    assert Sale.get_by_id(posted.id).status == "completed"


def test_completed_appointment_is_one_visit_at_its_price(world):
    start = utcnow() - 2 * DAY
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Braids", price=20000,
                                   scheduled_at=start)
    change_appointment_status(appointment, "confirmed")
    assert figures(world.customer)[0] == 0
    change_appointment_status(appointment, "completed")
    change_appointment_status(appointment, "completed")  # twice: nothing more
    assert figures(world.customer) == (1, 20000, start, start)
    assert_no_drift()


def test_completed_appointment_in_the_future_is_dated_now(world):
    now = utcnow()
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Braids", price=100,
                                   scheduled_at=now + 3 * DAY)
    change_appointment_status(appointment, "completed", now=now)
    assert figures(world.customer)[2:] == (now, now)


def test_sale_linked_to_appointment_replaces_its_price_and_completes_it(world):
    start = utcnow() - DAY
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Colour", price=30000,
                                   scheduled_at=start)
    first = post_sale(world.salon, customer=world.customer, appointment=appointment, items=[("Colour", 1, 28000)])
    assert Appointment.get_by_id(appointment.id).status == "completed"
    assert figures(world.customer) == (1, 28000, start, start)  # one visit, money counted once
    second = post_sale(world.salon, customer=None, appointment=appointment, items=[("Shampoo", 1, 4000)])
    assert second.customer_id == world.customer.id
    assert figures(world.customer)[:2] == (1, 32000)
    void_sale(first, reason="wrong")
    assert figures(world.customer)[:2] == (1, 4000)
    void_sale(second, reason="wrong")
    assert figures(world.customer)[:2] == (1, 30000)  # no live sale left: the appointment's price
    assert_no_drift()


def test_sale_for_cancelled_appointment_is_refused(world):
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Cut", price=100,
                                   scheduled_at=utcnow())
    change_appointment_status(appointment, "cancelled")
    with pytest.raises(FieldErrors) as error:
        post_sale(world.salon, customer=world.customer, appointment=appointment, items=[("Cut", 1, 100)])
    assert "appointment" in error.value.errors
    assert Sale.select().count() == 0


def test_appointment_of_another_customer_is_refused(world):
    other = factories.make_customer(world.salon, "Grace Mugisha", phone="0788 999 111")
    appointment = book_appointment(world.salon, customer=other, service_name="Cut", price=100, scheduled_at=utcnow())
    with pytest.raises(FieldErrors) as error:
        post_sale(world.salon, customer=world.customer, appointment=appointment, items=[("Cut", 1, 100)])
    assert "another customer" in error.value.errors["appointment"]


def test_forbidden_transitions_raise_a_clear_error(world):
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Cut", price=100,
                                   scheduled_at=utcnow())
    change_appointment_status(appointment, "completed")
    with pytest.raises(TransitionNotAllowed, match="completed appointment cannot be marked cancelled"):
        change_appointment_status(appointment, "cancelled")
    with pytest.raises(TransitionNotAllowed):
        change_appointment_status(appointment, "nonsense")
    assert figures(world.customer)[0] == 1


def test_sale_without_customer_counts_no_visit(world):
    post_sale(world.salon, customer=None, items=[("Gel", 1, 500)])
    assert Visit.select().count() == 0
    assert_no_drift()


def test_recompute_reports_and_repairs_drift(world):
    posted = sale(world.salon, world.customer, 1000)
    SalonCustomer.update(visit_count=7, total_spent=1).where(SalonCustomer.id == world.customer.id).execute()
    drift = visits.recompute_figures(world.salon, check=True)
    assert len(drift) == 1 and "visit_count 7 != ledger 1" in drift[0]
    assert figures(world.customer)[:2] == (7, 1)  # --check changes nothing
    visits.recompute_figures(world.salon)
    assert figures(world.customer)[:2] == (1, 1000)
    assert_no_drift()
    # Backfill: a sale recorded without the hook gets its ledger row and figures.
    Visit.delete().execute()
    drift = visits.recompute_figures(check=True)
    assert any(f"ledger sale {posted.id}" in line for line in drift)
    visits.recompute_figures()
    assert Visit.select().count() == 1 and figures(world.customer)[:2] == (1, 1000)
    assert_no_drift()


def test_other_salon_untouched(world):
    sale(world.salon, world.customer, 1000)
    assert figures(world.other_customer) == (0, 0, None, None)
    with pytest.raises(FieldErrors):
        sale(world.salon, world.other_customer, 1000)


def test_recompute_visits_command(app, world):
    runner = app.test_cli_runner()
    sale(world.salon, world.customer, 1000)
    result = runner.invoke(args=["recompute-visits", "--check"])
    assert result.exit_code == 0 and "no drift" in result.output
    SalonCustomer.update(total_spent=5).where(SalonCustomer.id == world.customer.id).execute()
    result = runner.invoke(args=["recompute-visits", "--check", "--salon", str(world.salon.id)])
    assert result.exit_code == 1 and f"salon_customer {world.customer.id}: total_spent 5 != ledger 1000" in result.output
    assert runner.invoke(args=["recompute-visits", "--check", "--salon", str(world.other_salon.id)]).exit_code == 0
    result = runner.invoke(args=["recompute-visits"])
    assert result.exit_code == 0 and "repaired 1" in result.output
    assert figures(world.customer)[:2] == (1, 1000)
    assert runner.invoke(args=["recompute-visits", "--salon", "99999"]).exit_code != 0


def test_demo_history_goes_through_the_hook_and_seeding_twice_adds_nothing(app):
    from salon_web.models import Salon
    from salon_web.sample_data.demo import seed_demo

    summary = seed_demo("demo-password-123", customers_per_salon=15)
    assert summary["sales"] > 50
    assert visits.recompute_figures(check=True) == []
    statuses = {a.status for a in Appointment.select()}
    assert "completed" in statuses and statuses & {"cancelled", "no_show"} and statuses & {"scheduled", "confirmed"}
    assert Sale.select().where(Sale.status == "voided").count() >= 1
    assert Sale.select().where(Sale.appointment.is_null(False)).count() >= 1
    oldest = Visit.select(Visit.occurred_at).order_by(Visit.occurred_at).first().occurred_at
    assert oldest < utcnow() - 300 * DAY and Visit.select().where(Visit.occurred_at > utcnow()).count() == 0
    kigali = Salon.get(Salon.slug == "kigali-glow")
    counts = [c.visit_count for c in SalonCustomer.select().where(SalonCustomer.salon == kigali)]
    assert max(counts) >= 8 and 1 in counts and 0 in counts  # regulars, one-time visitors, never came
    before = (Sale.select().count(), Appointment.select().count(), Visit.select().count())
    assert seed_demo("demo-password-123", customers_per_salon=15)["sales"] == 0
    assert (Sale.select().count(), Appointment.select().count(), Visit.select().count()) == before


def test_the_set_based_check_finds_each_kind_of_drift_and_the_repair_clears_it(world):
    """recompute-visits compares in SQL: a re-amounted appointment visit, a voided sale's leftover visit,
    a missing visit and a first visit that no longer matches the ledger are each reported once, then repaired."""
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Braids", price=20000,
                                   scheduled_at=utcnow() - 3 * DAY)
    change_appointment_status(appointment, "completed")
    _, voided, lost = (sale(world.salon, world.customer, amount)
                          for amount in (1000, 2000, 3000))
    Visit.update(amount=1).where((Visit.source_type == "appointment") & (Visit.source_id == appointment.id)).execute()
    Sale.update(status="voided").where(Sale.id == voided.id).execute()  # as if voided without the hook
    Visit.delete().where((Visit.source_type == "sale") & (Visit.source_id == lost.id)).execute()
    SalonCustomer.update(first_visit_at=None).where(SalonCustomer.id == world.customer.id).execute()
    drift = visits.recompute_figures(world.salon, check=True)
    assert [line.split(":")[0] for line in drift] == [
        f"ledger appointment {appointment.id}", f"ledger sale {voided.id}", f"ledger sale {lost.id}",
        f"salon_customer {world.customer.id}"]
    assert "amount 1, sources say" in drift[0] and drift[0].endswith("amount 20000")
    assert drift[1].endswith("sources say no visit") and ": has no visit" in drift[2]
    assert "first_visit_at None != ledger" in drift[3]
    visits.recompute_figures(world.salon)
    assert_no_drift()
    assert figures(world.customer)[:2] == (3, 24000)
