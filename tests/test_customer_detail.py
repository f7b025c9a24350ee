"""The customer card: header and figures, widgets as full page and htmx fragment, errors, conflicts, audit."""
import datetime

import pytest

from salon_web.models import AuditEvent, Customer, SalonCustomer
from salon_web.services.customer_edit import widget_basis
from tests import factories

HX = {"HX-Request": "true"}


def card_url(world, customer=None):
    return f"/salons/{world.salon.id}/customers/{(customer or world.customer).id}"


def widget_url(world, widget, customer=None):
    return f"{card_url(world, customer)}/{widget}"


def fresh(customer):
    return SalonCustomer.get_by_id(customer.id)


def form_for(customer, widget, **fields):
    return {"version": str(customer.version), "basis": widget_basis(customer, widget), **fields}


def hx(target):
    return {**HX, "HX-Target": target}


@pytest.mark.parametrize("role", ["admin", "owner", "employee"])
def test_card_opens_for_each_staff_role(client, world, login_as, role):
    login_as(role)
    response = client.get(card_url(world))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html" in page and "Aline Uwase" in page and 'id="widget-notes"' in page and 'id="timeline"' in page


def test_card_as_htmx_fragment_has_no_layout(client, world, login_as):
    login_as("employee")
    response = client.get(card_url(world), headers=hx("customer-card"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page and 'id="widget-contact"' in page


def test_history_restore_gets_the_full_page(client, world, login_as):
    login_as("employee")
    headers = {**hx("customer-card"), "HX-History-Restore-Request": "true"}
    assert "<html" in client.get(card_url(world), headers=headers).get_data(as_text=True)


def test_header_shows_the_figures(client, world, login_as):
    first = datetime.datetime(2026, 1, 10, 9, 0)
    SalonCustomer.update(visit_count=4, total_spent=60_000, first_visit_at=first,
                         last_visit_at=first + datetime.timedelta(days=90)).where(
        SalonCustomer.id == world.customer.id).execute()
    login_as("owner")
    page = client.get(card_url(world)).get_data(as_text=True)
    assert "RWF 60,000" in page  # total spent
    assert "RWF 15,000" in page  # average ticket
    assert "30 days" in page  # usual interval: 90 days over 3 gaps
    assert "10 Jan 2026" in page and "10 Apr 2026" in page


def test_allergy_alert_is_prominent_only_when_recorded(client, world, login_as):
    login_as("employee")
    assert 'class="allergy-alert"' not in client.get(card_url(world)).get_data(as_text=True)
    SalonCustomer.update(preferences={"allergies": "PPD hair dye"}).where(SalonCustomer.id == world.customer.id).execute()
    page = client.get(card_url(world)).get_data(as_text=True)
    assert 'class="allergy-alert" role="alert"' in page and "PPD hair dye" in page


def test_saving_preferences_updates_the_alert_out_of_band(client, world, login_as):
    login_as("employee")
    data = form_for(world.customer, "preferences", allergies="Latex gloves")
    response = client.post(widget_url(world, "preferences"), data=data, headers=hx("widget-preferences"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert 'id="customer-header" class="customer-header card" hx-swap-oob="true"' in page
    assert "Latex gloves" in page and "timeline-changed" in response.headers["HX-Trigger"]


WIDGET_SAVES = [
    ("contact", {"full_name": "Aline U. Mukamana", "phone": "0788 999 000", "email": "ALINE@NEW.EXAMPLE",
                 "birthday": "1991-03-04"},
     lambda c: (c.full_name, c.phone_e164, c.email, c.birthday, c.name_search)
     == ("Aline U. Mukamana", "+250788999000", "aline@new.example", datetime.date(1991, 3, 4), "aline u. mukamana")),
    ("notes", {"notes": "Likes a window seat.\nBooks early."}, lambda c: c.notes == "Likes a window seat.\nBooks early."),
    ("preferences", {"allergies": "Fragrance", "special_requests": "Quiet chair", "preferred_times": "Mornings",
                     "preferred_days": ["sat", "mon"], "extra_key": ["Drink", ""], "extra_value": ["Green tea", ""]},
     lambda c: c.preferences == {"allergies": "Fragrance", "special_requests": "Quiet chair",
                                 "preferred_times": "Mornings", "preferred_days": ["mon", "sat"], "Drink": "Green tea"}),
    ("follow-up", {"follow_up_on": "2030-01-15"}, lambda c: c.follow_up_on == datetime.date(2030, 1, 15)),
    ("communication", {"channels": ["sms", "email"], "marketing_consent": "yes"},
     lambda c: c.communication_preferences == ["sms", "email"] and c.has_marketing_consent),
]


@pytest.mark.parametrize("widget, fields, check", WIDGET_SAVES, ids=[w[0] for w in WIDGET_SAVES])
def test_widget_saves_as_plain_form(client, world, login_as, widget, fields, check):
    login_as("employee")
    if widget == "follow-up":
        fields = {"follow_up_on": (datetime.date.today() + datetime.timedelta(days=40)).isoformat()}
        check = lambda c: c.follow_up_on == datetime.date.today() + datetime.timedelta(days=40)  # noqa: E731
    name = widget.replace("-", "_")
    response = client.post(widget_url(world, widget), data=form_for(world.customer, name, **fields))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{card_url(world)}#widget-{name}")
    customer = fresh(world.customer)
    assert check(customer) and customer.version == world.customer.version + 1


@pytest.mark.parametrize("widget, fields, check", WIDGET_SAVES, ids=[w[0] for w in WIDGET_SAVES])
def test_widget_saves_as_htmx_fragment(client, world, login_as, widget, fields, check):
    login_as("owner")
    if widget == "follow-up":
        fields = {"quick": "2w"}
        check = lambda c: c.follow_up_on is not None  # noqa: E731
    name = widget.replace("-", "_")
    response = client.post(widget_url(world, widget), data=form_for(world.customer, name, **fields),
                           headers=hx(f"widget-{name}"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith(f'<section id="widget-{name}"') and "Saved." in page
    assert check(fresh(world.customer))


def test_widget_patch_method_works_like_post(client, world, login_as):
    login_as("employee")
    response = client.patch(widget_url(world, "notes"), data=form_for(world.customer, "notes", notes="Via PATCH"),
                            headers=hx("widget-notes"))
    assert response.status_code == 200 and fresh(world.customer).notes == "Via PATCH"


INVALID = [
    ("contact", {"full_name": "", "phone": "12", "email": "not-an-email", "birthday": "2999-01-01"},
     ["Enter the customer&#39;s name.", "wrong length", "name@example.com", "between 1900 and today"]),
    ("notes", {"notes": "x" * 5001}, ["limited to 5000 characters"]),
    ("preferences", {"preferred_employee": "999999", "extra_key": ["", "Drink"], "extra_value": ["tea", "x"]},
     ["Choose someone from this salon", "Give every entry a name."]),
    ("follow-up", {"follow_up_on": "31/12/2030"}, ["Enter a date such as"]),
    ("communication", {"channels": ["pigeon"]}, ["Choose among SMS"]),
]


@pytest.mark.parametrize("widget, fields, messages", INVALID, ids=[w[0] for w in INVALID])
def test_invalid_widget_returns_422_with_messages_beside_fields(client, world, login_as, widget, fields, messages):
    login_as("employee")
    name = widget.replace("-", "_")
    before = fresh(world.customer)
    fragment = client.post(widget_url(world, widget), data=form_for(before, name, **fields), headers=hx(f"widget-{name}"))
    page = fragment.get_data(as_text=True)
    assert fragment.status_code == 422 and "<html" not in page
    for message in messages:
        assert message in page
    assert 'class="field__error"' in page
    if widget != "communication":  # checkboxes carry no aria-invalid; the message sits in their fieldset
        assert 'aria-invalid="true"' in page
    full = client.post(widget_url(world, widget), data=form_for(before, name, **fields))
    assert full.status_code == 422 and "<html" in full.get_data(as_text=True)
    assert fresh(world.customer).version == before.version  # nothing saved


def test_invalid_form_keeps_what_was_typed(client, world, login_as):
    login_as("employee")
    data = form_for(world.customer, "contact", full_name="New Name", phone="12", email="", birthday="")
    page = client.post(widget_url(world, "contact"), data=data, headers=hx("widget-contact")).get_data(as_text=True)
    assert 'value="New Name"' in page and 'value="12"' in page


def test_missing_version_is_refused(client, world, login_as):
    login_as("employee")
    response = client.post(widget_url(world, "notes"), data={"notes": "no version"}, headers=hx("widget-notes"))
    assert response.status_code == 422 and "out of date" in response.get_data(as_text=True)
    assert fresh(world.customer).notes == ""


def test_second_concurrent_save_is_refused_and_shows_the_other_version(client, world, login_as):
    login_as("owner")
    stale = form_for(world.customer, "notes")
    first = client.post(widget_url(world, "notes"), data={**stale, "notes": "Owner's version"}, headers=hx("widget-notes"))
    assert first.status_code == 200
    second = client.post(widget_url(world, "notes"), data={**stale, "notes": "My version"}, headers=hx("widget-notes"))
    page = second.get_data(as_text=True)
    assert second.status_code == 409 and "<html" not in page
    assert "Olive Owner" in page and "Owner&#39;s version" in page  # who saved, and what
    assert "My version" in page  # what I typed is not lost
    assert fresh(world.customer).notes == "Owner's version"
    # Saving again from the conflict form (it carries the new version) replaces theirs knowingly.
    retry = client.post(widget_url(world, "notes"), data=form_for(fresh(world.customer), "notes", notes="My version"),
                        headers=hx("widget-notes"))
    assert retry.status_code == 200 and fresh(world.customer).notes == "My version"


def test_conflict_as_plain_form_shows_the_whole_card(client, world, login_as):
    login_as("employee")
    stale = form_for(world.customer, "contact", full_name="First", phone="", email="", birthday="")
    client.post(widget_url(world, "contact"), data=stale)
    response = client.post(widget_url(world, "contact"), data={**stale, "full_name": "Second"})
    assert response.status_code == 409 and "<html" in response.get_data(as_text=True)
    assert fresh(world.customer).full_name == "First"


def test_saving_another_widget_in_between_is_not_a_conflict(client, world, login_as):
    """The version is the customer's; a colleague's notes edit does not block my preferences."""
    login_as("employee")
    prefs_form = form_for(world.customer, "preferences", allergies="Ammonia")
    client.post(widget_url(world, "notes"), data=form_for(world.customer, "notes", notes="Colleague"))
    response = client.post(widget_url(world, "preferences"), data=prefs_form, headers=hx("widget-preferences"))
    assert response.status_code == 200
    customer = fresh(world.customer)
    assert customer.notes == "Colleague" and customer.preferences == {"allergies": "Ammonia"}


def test_no_mass_assignment(client, world, login_as):
    login_as("owner")
    before = fresh(world.customer)
    data = form_for(before, "notes", notes="ok", visit_count="99", total_spent="1", salon=str(world.other_salon.id),
                    salon_id=str(world.other_salon.id), customer_id="1", identity="1", id="5",
                    marketing_consent_at="2020-01-01", full_name="Hacked", follow_up_on="2030-01-01")
    assert client.post(widget_url(world, "notes"), data=data).status_code == 303
    after = fresh(world.customer)
    assert after.notes == "ok"
    for name in ("visit_count", "total_spent", "salon_id", "identity", "id", "full_name", "follow_up_on",
                 "marketing_consent_at", "email", "phone_e164", "preferences"):
        assert getattr(after, name) == getattr(before, name), name
    assert after.version == before.version + 1


def test_every_edit_is_audited_with_before_and_after(client, world, login_as):
    user = login_as("employee")
    client.post(widget_url(world, "notes"), data=form_for(world.customer, "notes", notes="First note"))
    event = AuditEvent.get(AuditEvent.action == "customer.updated")
    assert (event.salon_id, event.user_id, event.object_type, event.object_id) == (
        world.salon.id, user.id, "customer", str(world.customer.id))
    assert event.detail == {"widget": "notes", "fields": ["notes"], "before": {"notes": ""}, "after": {"notes": "First note"}}


def test_saving_unchanged_values_writes_nothing(client, world, login_as):
    login_as("employee")
    client.post(widget_url(world, "notes"), data=form_for(world.customer, "notes", notes=""))
    assert fresh(world.customer).version == world.customer.version
    assert not AuditEvent.select().where(AuditEvent.action == "customer.updated").exists()


def test_contact_edit_changes_only_this_salons_record(client, world, login_as):
    shared = factories.make_customer(world.other_salon, "Grace Paris", phone="+250 788 123 456", email="grace@paris.fr")
    assert shared.__data__["identity"] == world.customer.__data__["identity"]
    login_as("owner")
    data = form_for(world.customer, "contact", full_name="Aline New", phone="0788 555 444", email="new@kigali.rw",
                    birthday="")
    assert client.post(widget_url(world, "contact"), data=data).status_code == 303
    theirs = fresh(shared)
    assert (theirs.full_name, theirs.phone_e164, theirs.email) == ("Grace Paris", "+250788123456", "grace@paris.fr")
    # The identity follows the card's phone: this card no longer claims the number it gave up.
    assert fresh(world.customer).__data__["identity"] == Customer.get(Customer.phone_e164 == "+250788555444").id
    assert fresh(shared).__data__["identity"] == shared.__data__["identity"]


def test_preferred_employee_is_chosen_among_this_salons_staff(client, world, login_as):
    login_as("owner")
    employee = world.users["employee"]
    page = client.get(card_url(world)).get_data(as_text=True)
    assert "Emma Employee" in page and "Odile Owner" not in page
    foreign = client.post(widget_url(world, "preferences"),
                          data=form_for(world.customer, "preferences", preferred_employee=str(world.users["other_owner"].id)))
    assert foreign.status_code == 422
    ok = client.post(widget_url(world, "preferences"),
                     data=form_for(world.customer, "preferences", preferred_employee=str(employee.id)))
    assert ok.status_code == 303 and fresh(world.customer).preferences == {"preferred_employee": employee.id}


def test_follow_up_quick_choices_and_clear(client, world, login_as):
    login_as("employee")
    client.post(widget_url(world, "follow-up"), data=form_for(world.customer, "follow_up", quick="3m"))
    customer = fresh(world.customer)
    assert customer.follow_up_on is not None and 89 <= (customer.follow_up_on - datetime.date.today()).days <= 93
    client.post(widget_url(world, "follow-up"), data=form_for(customer, "follow_up", clear="1"))
    assert fresh(world.customer).follow_up_on is None
    bad = client.post(widget_url(world, "follow-up"), data=form_for(fresh(world.customer), "follow_up", quick="9y"))
    assert bad.status_code == 422


def test_marketing_consent_keeps_given_and_withdrawn_dates(client, world, login_as):
    login_as("employee")
    client.post(widget_url(world, "communication"), data=form_for(world.customer, "communication", marketing_consent="yes"))
    given = fresh(world.customer)
    assert given.has_marketing_consent and given.marketing_consent_at is not None
    client.post(widget_url(world, "communication"), data=form_for(given, "communication", channels=["sms"]))
    withdrawn = fresh(world.customer)
    assert not withdrawn.has_marketing_consent and withdrawn.marketing_consent_withdrawn_at is not None
    assert withdrawn.marketing_consent_at == given.marketing_consent_at
    assert "Consent withdrawn" in client.get(card_url(world)).get_data(as_text=True)


def test_unknown_widget_is_404(client, world, login_as):
    login_as("owner")
    assert client.post(widget_url(world, "visit_count"), data={"visit_count": "9"}).status_code == 404


# --- tags ----------------------------------------------------------------------------------

def tag_names(customer):
    from salon_web.services.customer_edit import customer_tags

    return [tag.name for tag in customer_tags(customer)]


def test_add_and_remove_tag_with_htmx(client, world, login_as):
    login_as("employee")
    added = client.post(f"{card_url(world)}/tags", data={"tag": "  Colour   club "}, headers=hx("widget-tags"))
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and "<html" not in page and "Colour club" in page
    assert tag_names(world.customer) == ["Colour club", "VIP"]
    removed = client.delete(f"{card_url(world)}/tags", data={"tag": "VIP"}, headers=hx("widget-tags"))
    assert removed.status_code == 200 and tag_names(world.customer) == ["Colour club"]
    details = [e.detail for e in AuditEvent.select().where(AuditEvent.action == "customer.tags").order_by(AuditEvent.id)]
    assert details[0]["before"] == ["VIP"] and details[0]["after"] == ["Colour club", "VIP"]
    assert details[1]["before"] == ["Colour club", "VIP"] and details[1]["after"] == ["Colour club"]


def test_add_and_remove_tag_with_plain_forms(client, world, login_as):
    login_as("owner")
    response = client.post(f"{card_url(world)}/tags", data={"tag": "Bridal"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#widget-tags")
    response = client.post(f"{card_url(world)}/tags/remove", data={"tag": "Bridal"})
    assert response.status_code == 303 and tag_names(world.customer) == ["VIP"]


def test_adding_a_tag_twice_changes_nothing(client, world, login_as):
    login_as("owner")
    client.post(f"{card_url(world)}/tags", data={"tag": "VIP"})
    assert tag_names(world.customer) == ["VIP"]
    assert not AuditEvent.select().where(AuditEvent.action == "customer.tags").exists()


def test_empty_tag_is_422_beside_the_field(client, world, login_as):
    login_as("owner")
    response = client.post(f"{card_url(world)}/tags", data={"tag": "   "}, headers=hx("widget-tags"))
    assert response.status_code == 422 and "Type a tag name." in response.get_data(as_text=True)


def test_tag_suggestions_come_from_this_salon_only(client, world, login_as):
    factories.make_customer(world.salon, "Other Kigali", tags=["Braids"])
    factories.make_customer(world.other_salon, "Paris Person", tags=["Secret Paris Tag"])
    login_as("employee")
    page = client.get(card_url(world)).get_data(as_text=True)
    assert '<option value="Braids">' in page and "Secret Paris Tag" not in page


def test_card_tags_gives_the_customers_tags_and_the_salons_other_first_tags_by_name(world, monkeypatch):
    from salon_web.services import customer_edit

    customer = factories.make_customer(world.salon, "Tagged Client", tags=["Zebra", "Colour"])
    factories.make_customer(world.salon, "Other Kigali", tags=["Braids", "Afro", "Wash"])
    factories.make_customer(world.other_salon, "Paris Person", tags=["Secret Paris Tag", "Balayage"])
    tags, suggestions = customer_edit.card_tags(customer)
    assert [tag.name for tag in tags] == ["Colour", "Zebra"] and {tag.salon_id for tag in tags} == {world.salon.id}
    assert tags == customer_edit.customer_tags(customer)
    assert suggestions == ["Afro", "Braids", "VIP", "Wash"]  # the customer's own tags are not suggested
    # Suggestions are the salon's first tags by name, less the customer's: the limit counts the customer's too.
    monkeypatch.setattr(customer_edit, "SUGGESTIONS_LIMIT", 3)
    assert customer_edit.card_tags(customer) == (tags, ["Afro", "Braids"])


def test_removing_another_salons_tag_name_touches_nothing(client, world, login_as):
    factories.make_customer(world.other_salon, "Paris Person", tags=["VIP"])
    login_as("owner")
    client.delete(f"{card_url(world)}/tags", data={"tag": "VIP"}, headers=hx("widget-tags"))
    from salon_web.models import CustomerTag

    assert CustomerTag.select().where(CustomerTag.salon == world.other_salon).count() == 1


def test_contact_phone_already_on_another_card_of_this_salon_is_refused(client, world, login_as):
    factories.make_customer(world.salon, "Divine Ingabire", phone="0722 123 456")
    factories.make_customer(world.other_salon, "Paris Person", phone="+250 733 000 111")
    login_as("employee")
    taken = form_for(world.customer, "contact", full_name="Aline Uwase", phone="0722123456", email="", birthday="")
    response = client.post(widget_url(world, "contact"), data=taken, headers=hx("widget-contact"))
    assert response.status_code == 422 and "already on the card of Divine Ingabire" in response.get_data(as_text=True)
    # A number another salon knows is not "taken": nothing about that salon is revealed.
    free = form_for(world.customer, "contact", full_name="Aline Uwase", phone="0733 000 111", email="", birthday="")
    response = client.post(widget_url(world, "contact"), data=free, headers=hx("widget-contact"))
    assert response.status_code == 200 and "Paris Person" not in response.get_data(as_text=True)
