"""The customer card and its pages speak French to a user without a language choice whose browser asks for it.

Each test opens one page of the card part with `Accept-Language: fr` and checks a few of its French words and that
the English words of the same page are gone; customer names, tags and notes stay as typed.
"""
import datetime

from salon_web.models import Appointment, CustomerCommunication, SalonCustomer, utcnow

FR = {"Accept-Language": "fr"}


def _card(world):
    return f"/salons/{world.salon.id}/customers/{world.customer.id}"


def _page(client, url):
    response = client.get(url, headers=FR)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _absent(page, *english):
    found = [text for text in english if text in page]
    assert not found, f"English left on the French page: {found}"


def test_card_in_french(client, world, login_as):
    owner = login_as("owner")
    SalonCustomer.update(
        preferences={"allergies": "PPD", "preferred_days": ["mon", "sat"]}, notes="Aime le thé",
        follow_up_on=datetime.date(2030, 3, 5),
    ).where(SalonCustomer.id == world.customer.id).execute()
    Appointment.create(salon=world.salon, customer=world.customer, employee=owner.id, service_name="Tresses",
                       scheduled_at=utcnow() - datetime.timedelta(days=3), price=10_000, status="no_show",
                       status_updated_at=utcnow())
    page = _page(client, _card(world))
    for french in ("Nouvelle vente", "Total dépensé", "Allergies et sensibilités",
                   "Étiquettes", "Préférences", "Relance", "Coordonnées", "Enregistrer les notes",
                   "Dans 2 semaines", "5 mars 2030", "Activité", "Tout", "Rendez-vous · Tresses", "absent",
                   "Enregistrer un message ou un appel", "> lun.</label>", "> sam.</label>"):
        assert french in page, french
    _absent(page, "Total spent", "Save notes", "Contact details", "In 2 weeks", "Everything", "Follow-up date",
            "Record a message or call", "No follow-up planned", "Preferred stylist", "no show")
    assert "Aline Uwase" in page and "Aime le thé" in page and "VIP" in page  # data is never translated


def test_new_customer_form_and_its_errors_in_french(client, world, login_as):
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/new"
    page = _page(client, url)
    assert "Nouveau client" in page and "Créer le client" in page and "Téléphone" in page
    _absent(page, "New customer", "Create customer", "Birthday")
    refused = client.post(url, data={"full_name": "", "phone": "12", "email": "nope"}, headers=FR)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Saisissez le nom du client." in text and "Saisissez une adresse e-mail comme nom@exemple.com." in text
    _absent(text, "Enter the customer's name.", "Enter an email address")


def test_book_and_sell_pages_in_french(client, world, login_as):
    login_as("owner")
    book = _page(client, f"{_card(world)}/book")
    assert 'Prendre rendez-vous <span class="muted">pour</span> Aline Uwase' in book
    assert "Styliste" in book and "Durée (minutes)" in book and "Retour à la fiche" in book
    _absent(book, ">Stylist<", "Duration (minutes)", "Back to the card", "Anyone")
    sell = _page(client, f"{_card(world)}/sell")
    assert 'Nouvelle vente <span class="muted">pour</span> Aline Uwase' in sell and "Enregistrer la vente" in sell
    _absent(sell, "Post sale", "Sold at", "Back to the card")


def test_booking_flash_in_french(client, world, login_as):
    owner = login_as("owner")
    response = client.post(f"{_card(world)}/book", headers=FR, data={
        "employee_id": str(owner.id), "service_name": "Silk press", "price": "12000",
        "scheduled_at": "2031-05-04T10:30", "duration_minutes": "60"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Rendez-vous Silk press pris pour Aline Uwase le 4 mai, 10:30." in page
    _absent(page, "Booked Silk press")


def test_timeline_page_in_french(client, world, login_as):
    login_as("owner")
    client.post(f"{_card(world)}/tags", data={"tag": "Tresses"}, headers=FR)
    page = _page(client, f"{_card(world)}/timeline")
    assert "Activité" in page and "Filtrer" in page and "Modifications" in page
    assert 'Étiquette <span class="tag">Tresses</span> ajoutée' in page
    _absent(page, "Activity", "Everything", "Load more", "Tag <span")


def test_messages_and_calls_page_in_french(client, world, login_as):
    owner = login_as("owner")
    CustomerCommunication.create(salon=world.salon, customer=world.customer, sent_by=owner.id, type="sms",
                                 purpose="follow_up", status="sent", message="Merci !", recipient="+250788123456",
                                 created_at=utcnow(), status_updated_at=utcnow())
    page = _page(client, f"{_card(world)}/communications")
    for french in ("Messages et appels", "Historique", "Destinataire", "Sortant ↗ vers le client", "Relance",
                   "Marquer comme remis", "Rappel de rendez-vous", "envoyé"):
        assert french in page, french
    _absent(page, "Messages and calls", "History", "Recipient", "Out ↗", "Mark delivered", "Appointment reminder")
    refused = client.post(f"{_card(world)}/communications", headers=FR,
                          data={"type": "sms", "purpose": "marketing", "status": "sent", "message": "Promo"})
    assert refused.status_code == 422
    assert "son consentement marketing : aucun message marketing ne peut être enregistré." in refused.get_data(as_text=True)


def test_card_warnings_follow_up_state_and_conflict_in_french(client, world, login_as):
    owner = login_as("owner")
    for days in (10, 20):
        Appointment.create(salon=world.salon, customer=world.customer, employee=owner.id, service_name="Coupe",
                           scheduled_at=utcnow() - datetime.timedelta(days=days), status="no_show",
                           status_updated_at=utcnow() - datetime.timedelta(days=days))
    SalonCustomer.update(follow_up_on=datetime.date.today() - datetime.timedelta(days=40)).where(
        SalonCustomer.id == world.customer.id).execute()
    page = _page(client, _card(world))
    assert "Manque souvent ses rendez-vous :" in page and "2 absences et 0 annulation tardive" in page
    assert "en retard de " in page and " jours" in page
    _absent(page, "Often misses", "no-shows", "overdue by")
    customer = SalonCustomer.get_by_id(world.customer.id)
    stale = {"version": str(customer.version), "basis": "stale", "notes": "Mine"}
    client.post(f"{_card(world)}/notes", data={"version": str(customer.version), "notes": "Theirs"}, headers=FR)
    conflict = client.post(f"{_card(world)}/notes", data=stale, headers={**FR, "HX-Request": "true",
                                                                          "HX-Target": "widget-notes"})
    assert conflict.status_code == 409
    text = conflict.get_data(as_text=True)
    assert "a enregistré cette section" in text and "Enregistrez de nouveau pour remplacer leur version" in text
    _absent(text, "saved this section", "Their version is shown below")


def test_imported_macros_speak_each_request_language(client, world, login_as):
    """Jinja keeps imported macro modules between renders: a word kept with them must not outlive its request."""
    login_as("owner")
    url, target = f"{_card(world)}/notes", {"HX-Request": "true", "HX-Target": "widget-notes"}
    for language, saved, other in (("en", "Saved.", "Enregistré."), ("fr", "Enregistré.", "Saved."),
                                   ("en", "Saved.", "Enregistré.")):
        version = SalonCustomer.get_by_id(world.customer.id).version
        response = client.post(url, data={"version": str(version), "notes": f"In {language}"},
                               headers={"Accept-Language": language, **target})
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and saved in text and other not in text, language
