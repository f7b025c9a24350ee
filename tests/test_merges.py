"""Merging duplicate cards and undoing it: every row moves, figures follow the ledger, undo restores exactly."""
import datetime
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salon_web.models import (
    Appointment, AuditEvent, CustomerCommunication, CustomerMerge, CustomerTag, Sale, SalonCustomer, Visit, utcnow,
)
from salon_web.services import client_rights, merges
from salon_web.services.appointments import book_appointment, change_appointment_status
from salon_web.services.customer_edit import apply_changes
from salon_web.services.customers import add_tag, ensure_tag
from salon_web.services.duplicates import candidate_pairs
from salon_web.services.sales import post_sale, void_sale
from salon_web.services.visits import recompute_figures, record_imported_visits
from tests import factories
from tests.api_helpers import api_as

NOW = utcnow()
_salons = itertools.count(1)


def salon_state(salon):
    """Every row of the salon's cards and of what hangs off them, as comparable tuples (versions aside)."""
    cards = {c.id: {k: v for k, v in merges.snapshot(c).items() if k != "version"}
             | {f: getattr(c, f) for f in ("visit_count", "total_spent", "first_visit_at", "last_visit_at")}
             for c in SalonCustomer.in_salon(salon)}
    rows = {}
    for name, model in (("sale", Sale), ("appointment", Appointment), ("communication", CustomerCommunication),
                        ("visit", Visit), ("tag", CustomerTag)):
        rows[name] = sorted(tuple(sorted((k, str(v)) for k, v in row.items() if k != "id" or name != "tag"))
                            for row in model.in_salon(salon).dicts())
    return cards, rows


def history(salon, customer, *, sales=(), appointments=(), message=None, tags=()):
    """Sales (amount, days ago, voided), appointments (price, days ago, status), one message, tags."""
    for amount, back, voided in sales:
        sale = post_sale(salon, customer=customer, items=[("Item", 1, amount)],
                         sold_at=NOW - datetime.timedelta(days=back), now=NOW)
        if voided:
            void_sale(sale, reason="mistake", now=NOW)
    for price, back, status in appointments:
        appointment = book_appointment(salon, customer=customer, service_name="Cut", price=price,
                                       scheduled_at=NOW - datetime.timedelta(days=back, hours=1))
        if status != "scheduled":
            change_appointment_status(appointment, status, now=NOW)
    if message:
        CustomerCommunication.create(salon=salon, customer=customer, type="sms", purpose="follow_up", message=message)
    for name in tags:
        add_tag(customer, ensure_tag(salon, name))


def test_merge_from_the_compare_page_then_undo(client, world, login_as):
    twin = factories.make_customer(world.salon, "Aline Uwasse", email="aline.u@example.com", tags=["Braids", "VIP"])
    history(world.salon, world.customer, sales=[(10_000, 40, False)], tags=["Regular"])
    history(world.salon, twin, sales=[(7_000, 3, False), (2_000, 2, True)], appointments=[(15_000, 10, "completed")],
            message="See you soon")
    apply_changes(twin, {"notes": "Prefers mornings"}, expected_version=twin.version, widget="notes")
    before = salon_state(world.salon)
    login_as("owner")
    base = f"/salons/{world.salon.id}"
    page = client.get(f"{base}/customers/duplicates")
    assert page.status_code == 200 and "Aline Uwasse" in page.get_data(as_text=True)
    compare = client.get(f"{base}/customers/duplicates/compare", query_string={"first": world.customer.id,
                                                                             "second": twin.id})
    assert compare.status_code == 200 and "Prefers mornings" in compare.get_data(as_text=True)
    response = client.post(f"{base}/customers/merge", data={
        "first": world.customer.id, "second": twin.id, "survivor": world.customer.id,
        "choice_email": twin.id, "choice_full_name": world.customer.id})
    assert response.status_code == 303
    survivor = SalonCustomer.get_by_id(world.customer.id)
    assert client.get(f"{base}/customers/{twin.id}").status_code == 404
    assert (survivor.full_name, survivor.email, survivor.phone_e164) == ("Aline Uwase", "aline.u@example.com",
                                                                        "+250788123456")
    assert survivor.notes == "Prefers mornings"
    assert (survivor.visit_count, survivor.total_spent) == (3, 32_000)
    assert Sale.select().where(Sale.customer == survivor.id).count() == 3
    assert CustomerCommunication.get().customer_id == survivor.id
    assert sorted(t.tag.name for t in CustomerTag.select().where(CustomerTag.customer == survivor.id)) == [
        "Braids", "Regular", "VIP"]
    assert recompute_figures(world.salon, check=True) == []
    merge = CustomerMerge.get()
    listing = client.get(f"{base}/customers/duplicates").get_data(as_text=True)
    assert "Undo merge" in listing
    fragment = client.post(f"{base}/merges/{merge.id}/undo", headers={"HX-Request": "true", "HX-Target": "merges"})
    assert fragment.status_code == 204 and fragment.headers["HX-Redirect"].endswith("/customers/duplicates")
    assert salon_state(world.salon) == before
    assert recompute_figures(world.salon, check=True) == []
    again = client.post(f"{base}/merges/{merge.id}/undo")
    assert again.status_code == 409 and "already undone" in again.get_data(as_text=True)


def test_a_bad_choice_or_a_forgotten_card_is_refused_with_the_form(client, world, login_as):
    twin = factories.make_customer(world.salon, "Aline Uwasse")
    login_as("admin")
    url = f"/salons/{world.salon.id}/customers/merge"
    pair = {"first": world.customer.id, "second": twin.id, "survivor": twin.id}
    refused = client.post(url, data={**pair, "choice_email": 999})
    assert refused.status_code == 422 and "Choose which card" in refused.get_data(as_text=True)
    client_rights.forget_client(world.salon, twin, confirmed=True)
    conflict = client.post(url, data=pair, headers={"HX-Request": "true", "HX-Target": "compare"})
    assert conflict.status_code == 409 and "forgotten" in conflict.get_data(as_text=True)
    assert "<html" not in conflict.get_data(as_text=True)
    assert client.post(url, data={"first": world.customer.id, "second": world.other_customer.id,
                                  "survivor": world.customer.id}).status_code == 404
    assert SalonCustomer.select().count() == 3


def test_undo_is_refused_after_an_edit_or_30_days(world):
    twin = factories.make_customer(world.salon, "Aline Uwasse")
    merge = merges.merge_cards(world.salon, twin.id, world.customer.id).merge
    with pytest.raises(merges.MergeRefused, match="30 days"):
        merges.undo_merge(world.salon, merge.id, now=NOW + datetime.timedelta(days=31))
    survivor = SalonCustomer.get_by_id(world.customer.id)
    apply_changes(survivor, {"notes": "new"}, expected_version=survivor.version, widget="notes")
    with pytest.raises(merges.MergeRefused, match="edited since"):
        merges.undo_merge(world.salon, merge.id)
    assert not SalonCustomer.select().where(SalonCustomer.id == twin.id).exists()


def test_imported_past_visits_go_back_to_their_card_on_undo(world):
    twin = factories.make_customer(world.salon, "Aline Uwasse")
    record_imported_visits(world.salon.id, [(twin.id, datetime.datetime(2025, 5, 1, 10), 7_000, 4242)])
    merge = merges.merge_cards(world.salon, twin.id, world.customer.id).merge
    assert SalonCustomer.get_by_id(world.customer.id).total_spent == 7_000
    merges.undo_merge(world.salon, merge.id)
    restored = SalonCustomer.get_by_id(twin.id)
    assert (restored.visit_count, restored.total_spent) == (1, 7_000)
    assert SalonCustomer.get_by_id(world.customer.id).total_spent == 0
    assert recompute_figures(world.salon, check=True) == []


def test_api_merge_answers_the_survivor_and_the_merge_id_then_undo(app, world):
    twin = factories.make_customer(world.salon, "Aline Uwasse", phone="0788 555 000")
    history(world.salon, twin, sales=[(5_000, 1, False)])
    api = api_as(app, world, "owner")
    base = f"/salons/{world.salon.id}"
    assert api.post(f"{base}/customers/{twin.id}/merge", json={"into": twin.id}).status_code == 422
    foreign = api.post(f"{base}/customers/{twin.id}/merge", json={"into": world.other_customer.id})
    assert foreign.status_code == 422 and foreign.get_json()["errors"][0]["field"] == "into"
    assert api.post(f"{base}/customers/{world.other_customer.id}/merge",
                    json={"into": twin.id}).status_code == 404
    assert api.post(f"{base}/customers/{twin.id}/merge", json={"into": world.customer.id, "choices": {
        "nope": "merged"}}).status_code == 422
    response = api.post(f"{base}/customers/{twin.id}/merge", json={"into": world.customer.id,
                                                                   "choices": {"phone": "merged"}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["survivor"]["id"] == world.customer.id and body["survivor"]["visitCount"] == 1
    assert body["survivor"]["phone"] == "0788 555 000" and isinstance(body["mergeId"], int)
    assert api.get(f"{base}/customers/{twin.id}").status_code == 404
    employee = api_as(app, world, "employee")
    assert employee.post(f"{base}/merges/{body['mergeId']}/undo").status_code == 403
    assert api_as(app, world, "other_owner").post(f"{base}/merges/{body['mergeId']}/undo").status_code == 404
    undone = api.post(f"{base}/merges/{body['mergeId']}/undo")
    assert undone.status_code == 200
    assert undone.get_json()["restored"]["id"] == twin.id and undone.get_json()["restored"]["visitCount"] == 1
    assert api.get(f"{base}/customers/{twin.id}").get_json()["phone"] == "0788 555 000"
    assert api.post(f"{base}/merges/{body['mergeId']}/undo").status_code == 409
    assert employee.post(f"{base}/customers/{twin.id}/merge", json={"into": world.customer.id}).status_code == 403
    assert AuditEvent.select().where(AuditEvent.action == "customer.merged").count() == 1


def test_duplicates_rank_contacts_then_names_and_stay_in_the_salon(world):
    salon = world.salon
    same_mail = factories.make_customer(salon, "Jean Bosco", email="aline@example.com")
    near = factories.make_customer(salon, "Uwase Alinne")
    factories.make_customer(salon, "Zachary Nobody")
    forgotten = factories.make_customer(salon, "Aline Uwase")
    client_rights.forget_client(salon, forgotten, confirmed=True)
    factories.make_customer(world.other_salon, "Aline Uwase", email="aline@example.com")
    pairs = candidate_pairs(salon)
    found = [(p.first_id, p.second_id) for p in pairs]
    assert found[0] == (world.customer.id, same_mail.id) and "same e-mail" in pairs[0].reasons
    assert (world.customer.id, near.id) in found
    assert all(forgotten.id not in pair for pair in found)
    assert len(found) == 2


def test_duplicates_keep_only_the_best_pairs(world):
    for i in range(30):
        factories.make_customer(world.salon, "Marie Claire Mukamana" if i % 2 else "Mukamana Marie-Claire")
    factories.make_customer(world.salon, "Marie Claire Mukamana", email="aline@example.com")
    pairs = candidate_pairs(world.salon, limit=10)
    assert len(pairs) == 10 and [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    assert "same e-mail" in pairs[0].reasons and pairs[0].first_id == world.customer.id
    assert len({(p.first_id, p.second_id) for p in pairs}) == 10


sales_strategy = st.lists(st.tuples(st.integers(0, 50_000), st.integers(0, 400), st.booleans()), max_size=4)
appointments_strategy = st.lists(st.tuples(st.integers(0, 50_000), st.integers(0, 400),
                                           st.sampled_from(["scheduled", "completed", "cancelled"])), max_size=3)
texts = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=20)  # PostgreSQL text
card_strategy = st.fixed_dictionaries({
    "sales": sales_strategy, "appointments": appointments_strategy,
    "message": st.one_of(st.none(), texts),
    "tags": st.lists(st.sampled_from(["VIP", "Braids", "New"]), unique=True, max_size=3),
    "notes": texts, "email": st.sampled_from([None, "a@example.com", "b@example.com"]),
    "phone": st.booleans(),
})


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=card_strategy, second=card_strategy, into_first=st.booleans(),
       choices=st.dictionaries(st.sampled_from(sorted(merges.CHOICES)), st.sampled_from(["survivor", "merged"])))
def test_merge_then_undo_restores_every_row_and_figures_follow_the_ledger(app, first, second, into_first, choices):
    n = next(_salons)
    salon = factories.make_salon(f"Salon {n}", slug=f"merge-{n}")
    cards = []
    for index, spec in enumerate((first, second)):
        card = factories.make_customer(salon, f"Client {index}", email=spec["email"],
                                       phone=f"0788 1{n % 1000:03d}{index}0" if spec["phone"] else None,
                                       notes=spec["notes"])
        history(salon, card, sales=spec["sales"], appointments=spec["appointments"], message=spec["message"],
                tags=spec["tags"])
        cards.append(card)
    survivor, merged = (cards[0], cards[1]) if into_first else (cards[1], cards[0])
    before = salon_state(salon)
    result = merges.merge_cards(salon, merged.id, survivor.id, choices)
    assert recompute_figures(salon, check=True) == []
    assert not SalonCustomer.select().where(SalonCustomer.id == merged.id).exists()
    owned = {model: model.in_salon(salon).where(model.customer == survivor.id).count()
             for model in (Sale, Appointment, CustomerCommunication, Visit)}
    expected = {model: sum(1 for row in before[1][name]) for model, name in
                ((Sale, "sale"), (Appointment, "appointment"), (CustomerCommunication, "communication"),
                 (Visit, "visit"))}
    assert owned == expected
    merges.undo_merge(salon, result.merge.id)
    assert recompute_figures(salon, check=True) == []
    assert salon_state(salon) == before


def test_merges_past_their_undo_window_are_pruned_with_their_snapshots(world):
    from salon_web.services.bookkeeping import prune

    twin = factories.make_customer(world.salon, "Aline Uwasse", notes="private")
    merge = merges.merge_cards(world.salon, twin.id, world.customer.id, now=NOW - datetime.timedelta(days=31)).merge
    fresh = factories.make_customer(world.salon, "Kevin Mugisa")
    kept = merges.merge_cards(world.salon, fresh.id, world.customer.id).merge
    deleted = prune(NOW, rate_window_seconds=60, login_window_seconds=60)
    assert deleted["expired merge snapshots"] == 1
    assert [m.id for m in CustomerMerge.select()] == [kept.id] and merge.id != kept.id


def test_every_statement_of_merge_undo_forget_and_exports_names_salon_id(client, world, login_as):
    from tests.test_tenant_sql import recorded_sql, unscoped

    twin = factories.make_customer(world.salon, "Aline Uwasse", email="aline@example.com", tags=["New"])
    history(world.salon, twin, sales=[(7_000, 3, False)], appointments=[(15_000, 10, "completed")], message="Hi")
    login_as("owner")
    base = f"/salons/{world.salon.id}"
    with recorded_sql(requests_only=False) as statements:
        assert client.get(f"{base}/customers/duplicates").status_code == 200
        assert client.get(f"{base}/customers/duplicates/compare?first={world.customer.id}&second={twin.id}").status_code == 200
        assert client.post(f"{base}/customers/merge", data={"first": world.customer.id, "second": twin.id,
                                                            "survivor": world.customer.id}).status_code == 303
        assert client.post(f"{base}/merges/{CustomerMerge.get().id}/undo").status_code == 303
        assert client.get(f"{base}/customers/{twin.id}/data.json").status_code == 200
        assert client.post(f"{base}/customers/{twin.id}/forget", data={"confirm": "yes"}).status_code == 303
        assert len(client.get(f"{base}/export/everything").get_data()) > 0
    assert statements and unscoped(statements) == []
