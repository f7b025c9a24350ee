"""The till's pages in French (issue 16): sales, appointments, Today, the service menu and the front-desk settings.

Each page is asked for by a browser speaking French (the user has no language of their own): its words are French,
its English words are gone, and what is stored (payment methods, statuses) never changes with the language.
"""
import datetime

import pytest

from salon_web.models import Appointment, Sale, utcnow
from salon_web.services.appointments import book_appointment
from salon_web.services.clock import local_today
from salon_web.services.sales import SaleLine, post_sale
from salon_web.services.service_menu import save_service
from tests import factories

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def french(client, url):
    response = client.get(url, headers=FRENCH)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'lang="fr"' in page
    return page


def assert_words(page, present, absent):
    missing = [word for word in present if word not in page]
    left = [word for word in absent if word in page]
    assert not missing and not left, f"missing French: {missing}; English left: {left}"


@pytest.fixture
def sale(world):
    return post_sale(world.salon, customer=world.customer, items=[SaleLine("Coupe", 1, 5000)],
                     payment_method="mobile_money", user=world.users["owner"])


def test_the_sales_page_speaks_french(client, world, login_as, sale):
    login_as("owner")
    page = french(client, f"/salons/{world.salon.id}/sales?customer={world.customer.id}")
    assert_words(page, ["Enregistrer une vente", "Ventes récentes", "Payé par", "Total dépensé", "Première visite",
                        "1 vente", "Par moyen de paiement", "Annuler cette vente ?", "Prix unitaire", "Ajouter une ligne",
                        "Rechercher des clients par nom ou téléphone", "1 visite"],
                 ["Post a sale", "Recent sales", "Paid by", "Total spent", "First visit", "1 sale",
                  "By payment method", "Void this sale?", "Unit price", "Add another line", "Walk-in"])
    assert "Aline Uwase" in page and "Coupe" in page  # names and what was typed are never translated
    assert Sale.get_by_id(sale.id).payment_method == "mobile_money"


def test_posting_a_sale_in_french_flashes_and_refuses_in_french(client, world, login_as):
    login_as("employee")
    refused = client.post(f"/salons/{world.salon.id}/sales", headers=FRENCH,
                          data={"customer_id": str(world.customer.id), "idempotency_key": "k1",
                                "item_description": [""], "item_quantity": ["1"], "item_price": [""]})
    assert refused.status_code == 422
    assert "Ajoutez au moins une ligne : une description et son prix." in refused.get_data(as_text=True)
    posted = client.post(f"/salons/{world.salon.id}/sales", headers=FRENCH,
                         data={"customer_id": str(world.customer.id), "idempotency_key": "k2",
                               "item_description": ["Coupe"], "item_quantity": ["1"], "item_price": ["5000"]})
    assert posted.status_code == 303
    page = client.get(posted.headers["Location"], headers=FRENCH).get_data(as_text=True)
    assert "Vente de 5\u202f000\u00a0RWF enregistrée pour Aline Uwase : 1 visite" in page
    assert "recorded for" not in page


def test_the_appointments_page_speaks_french(client, world, login_as):
    login_as("employee")
    day = local_today(world.salon.timezone)
    book_appointment(world.salon, customer=world.customer, service_name="Tresses", price=20000,
                     scheduled_at=utcnow() + datetime.timedelta(minutes=5))
    page = french(client, f"/salons/{world.salon.id}/appointments?day={day.isoformat()}")
    assert_words(page, ["Prendre un rendez-vous", "Jour suivant", "Employé", "N'importe qui", "Durée (minutes)",
                        "Confirmer", "Terminer", "Marquer ce rendez-vous comme absent ?", "prévu", "Réserver"],
                 ["Book an appointment", "Next day", ">Employee<", "Anyone", "Duration (minutes)", "Unconfirm",
                  "Mark this appointment", ">scheduled<", ">Book<"])
    assert "Tresses" in page


def test_a_forbidden_status_change_is_explained_in_french(client, world, login_as):
    login_as("employee")
    appointment = book_appointment(world.salon, customer=world.customer, service_name="Tresses", price=0,
                                   scheduled_at=utcnow() - datetime.timedelta(hours=1))
    url = f"/salons/{world.salon.id}/appointments/{appointment.id}/status"
    assert client.post(url, data={"status": "cancelled"}, headers=FRENCH).status_code in (302, 303)
    refused = client.post(url, data={"status": "completed"}, headers=FRENCH)
    assert refused.status_code == 422
    assert "Un rendez-vous annulé ne peut pas être marqué terminé." in refused.get_data(as_text=True)
    assert Appointment.get_by_id(appointment.id).status == "cancelled"


def test_the_today_page_speaks_french(client, world, login_as):
    login_as("employee")
    today = local_today(world.salon.timezone)
    factories.make_customer(world.salon, "Call Me", follow_up_on=today - datetime.timedelta(days=3))
    page = french(client, f"/salons/{world.salon.id}/today")
    assert_words(page, ["Aujourd'hui", "Rendez-vous du jour", "Relances à faire", "en retard de 3 jours",
                        "Reporter de 7 jours", "Anniversaires de la semaine", "Personne n'est en retard.",
                        "Noter un appel ou un message pour Call Me"],
                 ["Follow-ups due", "overdue by", "Snooze 7 days", "Birthdays this week", "Nobody is overdue",
                  "Record a call"])


def test_snoozing_a_follow_up_answers_in_french(client, world, login_as):
    login_as("employee")
    customer = factories.make_customer(world.salon, "Later", follow_up_on=datetime.date(2026, 1, 1))
    response = client.post(f"/salons/{world.salon.id}/today/follow-ups/{customer.id}/snooze",
                           headers={**FRENCH, "HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "reportée au" in body and "snoozed until" not in body


def test_the_service_menu_speaks_french(client, world, login_as):
    login_as("owner")
    service = save_service(world.salon, name="Box braids", category="Cheveux", duration_minutes=90, price=30000,
                           active=True)
    page = french(client, f"/salons/{world.salon.id}/services")
    assert_words(page, ["Carte des prestations", "Ajouter une prestation", "Catégorie", "proposée",
                        "Durée (minutes)", "Modifier Box braids"],
                 ["Service menu", "Add a service", "Category", "offered", "On the menu"])
    edit = french(client, f"/salons/{world.salon.id}/services/{service.id}")
    assert_words(edit, ["Modifier Box braids", "Enregistrer la prestation", "Retour à la carte"],
                 ["Save service", "Back to the menu"])
    refused = client.post(f"/salons/{world.salon.id}/services", headers=FRENCH,
                          data={"name": "", "duration_minutes": "60", "price": "0"})
    assert refused.status_code == 422
    assert "Saisissez le nom de la prestation" in refused.get_data(as_text=True)


def test_the_front_desk_settings_speak_french(client, world, login_as):
    login_as("owner")
    page = french(client, f"/salons/{world.salon.id}/settings")
    assert_words(page, ["Paramètres de l'accueil", "Moyens de paiement proposés par la caisse", "Espèces",
                        "Virement bancaire", "Enregistrer les paramètres"],
                 ["Front-desk settings", "Payment methods", "Cash", "Bank transfer", "Save settings"])
    assert 'value="mobile_money"' in page  # the stored value stays; only its label is French
    refused = client.post(f"/salons/{world.salon.id}/settings", headers=FRENCH,
                          data={"no_show_warning": "3"})
    assert refused.status_code == 422
    assert "Gardez au moins un moyen de paiement." in refused.get_data(as_text=True)


def test_the_sales_page_speaks_kinyarwanda_too(client, world, login_as, sale):
    login_as("employee")
    response = client.get(f"/salons/{world.salon.id}/sales", headers={"Accept-Language": "rw"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'lang="rw"' in page
    assert_words(page, ["Andika igurisha", "Amagurisha ya vuba", "Yishyuye akoresheje", "Mobile Money"],
                 ["Post a sale", "Recent sales", "Paid by", "Mobile money"])
