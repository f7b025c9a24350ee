"""New customer: validation, normalisation, duplicates within the salon, silent shared identity."""
import pytest

from salon_web.models import AuditEvent, Customer, SalonCustomer
from salon_web.services.customer_edit import widget_basis
from tests import factories

HX = {"HX-Request": "true", "HX-Target": "new-customer"}


def new_url(world):
    return f"/salons/{world.salon.id}/customers/new"


def salon_customers(salon):
    return SalonCustomer.select().where(SalonCustomer.salon == salon)


@pytest.mark.parametrize("role", ["admin", "owner", "employee"])
def test_every_staff_role_can_create(client, world, login_as, role):
    login_as(role)
    assert client.get(new_url(world)).status_code == 200
    response = client.post(new_url(world), data={"full_name": f"New {role}", "phone": f"0788 00{len(role)} 111"})
    assert response.status_code == 303
    customer = SalonCustomer.get(SalonCustomer.full_name == f"New {role}")
    assert response.headers["Location"].endswith(f"/salons/{world.salon.id}/customers/{customer.id}")


def test_form_as_htmx_fragment(client, world, login_as):
    login_as("employee")
    page = client.get(new_url(world), headers=HX).get_data(as_text=True)
    assert "<html" not in page and 'name="full_name"' in page


def test_phone_is_normalised_with_the_salons_country_and_email_lower_cased(client, world, login_as):
    user = login_as("employee")
    client.post(new_url(world), data={"full_name": "  Divine   Ingabire ", "phone": "0722 123 456",
                                      "email": " Divine@Example.COM ", "birthday": "1994-07-01"})
    customer = SalonCustomer.get(SalonCustomer.full_name == "Divine Ingabire")
    assert (customer.phone, customer.phone_e164, customer.email) == ("0722 123 456", "+250722123456", "divine@example.com")
    assert customer.name_search == "divine ingabire" and str(customer.birthday) == "1994-07-01"
    event = AuditEvent.get(AuditEvent.action == "customer.created")
    assert (event.user_id, event.object_id) == (user.id, str(customer.id))


def test_invalid_input_is_422_with_messages(client, world, login_as):
    login_as("employee")
    for headers in (HX, {}):
        response = client.post(new_url(world), data={"full_name": "", "phone": "abc", "email": "x@", "birthday": "soon"},
                               headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Enter the customer&#39;s name." in page and "does not look like a phone number" in page
        assert "name@example.com" in page and "Enter a date such as" in page
        assert ("<html" in page) is (headers == {})
    assert salon_customers(world.salon).count() == 1


def test_duplicate_phone_in_this_salon_links_to_the_existing_card(client, world, login_as):
    login_as("employee")
    response = client.post(new_url(world), data={"full_name": "Aline Again", "phone": "+250788123456"}, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Possible duplicate" in page
    assert f'href="/salons/{world.salon.id}/customers/{world.customer.id}"' in page and "Aline Uwase" in page
    assert "create_anyway" not in page  # one person, one card: a phone match cannot be overridden
    assert salon_customers(world.salon).count() == 1


def test_duplicate_email_can_be_overridden_for_a_shared_address(client, world, login_as):
    login_as("owner")
    data = {"full_name": "Aline's Daughter", "phone": "0788 777 666", "email": "ALINE@example.com"}
    first = client.post(new_url(world), data=data)
    assert first.status_code == 422 and "Possible duplicate" in first.get_data(as_text=True)
    assert 'name="create_anyway"' in first.get_data(as_text=True)
    second = client.post(new_url(world), data={**data, "create_anyway": "yes"})
    assert second.status_code == 303 and salon_customers(world.salon).count() == 2


def test_a_number_this_salon_no_longer_holds_is_free_again(client, world, login_as):
    """Duplicates are this salon's current columns only: an old number leads nowhere (it may be anyone's now)."""
    login_as("owner")
    data = {"version": world.customer.version, "basis": widget_basis(world.customer, "contact"),
            "full_name": "Aline Uwase", "phone": "0788 000 111", "email": "", "birthday": ""}
    assert client.post(f"{new_url(world)[:-4]}/{world.customer.id}/contact", data=data).status_code == 303
    response = client.post(new_url(world), data={"full_name": "Someone", "phone": "0788 123 456"})
    assert response.status_code == 303
    again = client.post(new_url(world), data={"full_name": "Someone Else", "phone": "0788 000 111"})
    assert again.status_code == 422 and "Aline Uwase" in again.get_data(as_text=True)


SECRETS = ("Zoé Secrète", "zoe.secret@paris.fr", "Allergic to secrets", "Paris-only VIP")


def _paris_person(world):
    return factories.make_customer(
        world.other_salon, SECRETS[0], phone="+250 788 424 242", email=SECRETS[1], notes=SECRETS[2],
        tags=[SECRETS[3]], visit_count=7, total_spent=99_999,
    )


def test_person_known_to_another_salon_is_recognised_silently(client, world, login_as):
    theirs = _paris_person(world)
    login_as("employee")
    typed = {"full_name": "Zoe Kigali", "phone": "0788 424 242", "email": "zoe.kigali@example.com"}
    response = client.post(new_url(world), data=typed)
    assert response.status_code == 303  # no "possible duplicate": that person is not this salon's customer
    mine = SalonCustomer.get((SalonCustomer.salon == world.salon) & (SalonCustomer.full_name == "Zoe Kigali"))
    assert mine.__data__["identity"] == theirs.__data__["identity"]  # one shared identity
    assert Customer.select().where(Customer.phone_e164 == "+250788424242").count() == 1
    # Nothing the other salon recorded was copied or shown.
    assert (mine.email, mine.notes, mine.visit_count, mine.total_spent) == ("zoe.kigali@example.com", "", 0, 0)
    card = client.get(response.headers["Location"]).get_data(as_text=True)
    timeline = client.get(response.headers["Location"] + "/timeline").get_data(as_text=True)
    for page in (card, timeline):
        for secret in SECRETS + ("99,999",):
            assert secret not in page


def test_typing_another_salons_number_reveals_nothing_even_on_errors(client, world, login_as):
    _paris_person(world)
    login_as("employee")
    page = client.post(new_url(world), data={"full_name": "", "phone": "0788 424 242", "email": SECRETS[1]},
                       headers=HX).get_data(as_text=True)
    assert "Possible duplicate" not in page
    for secret in SECRETS[:1] + SECRETS[2:]:
        assert secret not in page


def test_edits_here_never_change_the_other_salons_record(client, world, login_as):
    theirs = _paris_person(world)
    login_as("owner")
    location = client.post(new_url(world), data={"full_name": "Zoe Kigali", "phone": "0788 424 242"}).headers["Location"]
    mine = SalonCustomer.get(SalonCustomer.full_name == "Zoe Kigali")
    from salon_web.services.customer_edit import widget_basis

    client.post(f"{location}/notes", data={"version": mine.version, "basis": widget_basis(mine, "notes"), "notes": "Ours"})
    client.post(f"{location}/tags", data={"tag": "Kigali tag"})
    after = SalonCustomer.get_by_id(theirs.id)
    assert (after.full_name, after.notes, after.email) == (SECRETS[0], SECRETS[2], SECRETS[1])
    assert SalonCustomer.get_by_id(mine.id).notes == "Ours"


def test_other_salons_owner_cannot_create_here(client, world, login_as):
    login_as("other_owner")
    assert client.post(new_url(world), data={"full_name": "Intruder"}).status_code == 404
    assert salon_customers(world.salon).count() == 1
