"""The insights pages (analytics, Messages, the top bar) in French; the clients' public pages in the salon's language."""
import datetime
import html

import pytest

from salon_web.services.clock import local_today
from salon_web.services.messages import links
from salon_web.services.messages.settings import SettingsChange, save_settings
from tests.analytics_data import customer_with_visits
from tests.messages_helpers import consenting

FR = {"Accept-Language": "fr"}


@pytest.fixture
def owner(login_as):
    return login_as("owner")  # a user without a language choice: the browser's language speaks


def _page(client, url, headers=FR):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))  # apostrophes may come escaped or not


def _assert_french(page, french, english):
    assert 'lang="fr"' in page
    for words in french:
        assert words in page, words
    for words in english:
        assert words not in page, words


def test_the_analytics_page_speaks_french_with_french_dates(client, world, owner):
    noon = datetime.datetime.combine(local_today(world.salon.timezone) - datetime.timedelta(days=5), datetime.time(12))
    customer_with_visits(world.salon, "Aline Uwase", [(noon, 10_000)])
    page = _page(client, f"/salons/{world.salon.id}/customers/analytics")
    _assert_french(
        page,
        ("Statistiques clients", "Total des clients", "Jamais venus", "Cohortes mensuelles", "Fidèles",
         "Moyens de paiement", "Visites par mois", "Aujourd'hui", "Aller au contenu", "Aline Uwase"),
        ("Customer analytics", "Total customers", "Never came", "Monthly cohorts", "Payment methods",
         "Visits per month", "Skip to content", ">Today<", "Log out"),
    )
    # Month names come from Babel, not strftime: no English month abbreviation in the cohort rows or charts.
    month = local_today(world.salon.timezone).strftime("%b %Y")
    assert month not in page


def test_the_analytics_period_block_and_its_errors_speak_french(client, world, owner):
    url = f"/salons/{world.salon.id}/customers/analytics?from=2026-02-31&to=2026-03-01"
    response = client.get(url, headers={**FR, "HX-Request": "true", "HX-Target": "period"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "jours précédents" in page and "Saisissez une date de début" in page
    assert "days before" not in page and "Enter a start date" not in page


def test_the_messages_hub_speaks_french(client, world, owner):
    page = _page(client, f"/salons/{world.salon.id}/messages")
    _assert_french(page, ("Boîte d'envoi", "Automatisations et règles", "Campagnes", "heures de silence"),
                   ("Outbox", "Automations and rules", "quiet hours", "Every message the salon sends"))


def test_the_outbox_filter_answers_200_with_its_status_chosen_and_labelled(client, world, owner):
    """`status` was also htmx.render()'s HTTP status: a filtered outbox answered with status "sent" (code 0)."""
    response = client.get(f"/salons/{world.salon.id}/messages?status=sent", headers=FR)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert '<option value="sent" selected>envoyé (0)</option>' in page
    assert "Aucun message au statut « envoyé » pour l'instant." in page


def test_the_settings_page_and_its_refusal_speak_french(client, world, owner):
    url = f"/salons/{world.salon.id}/messages/settings"
    page = _page(client, url)
    _assert_french(page, ("Heures de silence à partir de", "Langue des messages", "Rappel de rendez-vous 24 h avant"),
                   ("Quiet hours from", "Language of messages", "Appointment reminder 24 h before"))
    refused = client.post(url, headers=FR, data={"language": "en", "quiet_start": "25:00", "quiet_end": "08:00",
                                                 "marketing_cap": "2", "cap_days": "7"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Saisissez une heure comme 21:00." in text and "Enter a time such as" not in text


def test_the_templates_page_speaks_french(client, world, owner):
    page = _page(client, f"/salons/{world.salon.id}/messages/templates")
    _assert_french(page, ("Modèles de messages", "prénom du client", "Enregistrer le modèle", "Tous les modèles"),
                   ("Message templates", "client's first name", "Save template", "All templates"))


def test_the_campaigns_page_and_its_errors_speak_french(client, world, owner):
    url = f"/salons/{world.salon.id}/messages/campaigns"
    page = _page(client, url)
    _assert_french(page, ("Nouvelle campagne", "Envoyer maintenant", "Vérifier qui sera touché"),
                   ("New campaign", "Send now", "Check whom it reaches"))
    assert "News from {salon_name}" in page  # the salon's messages speak English: the default wording too
    save_settings(world.salon, SettingsChange("fr", 21 * 60, 8 * 60, 2, 7))
    assert "Des nouvelles de {salon_name}" in _page(client, url)
    refused = client.post(url, headers=FR, data={"name": "", "channel": "auto", "language": "fr", "when": "later",
                                                 "send_at": "", "body": "Hi"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Saisissez une date et une heure" in text and "Enter a date and time" not in text


def test_the_card_messages_panel_speaks_french(client, world, owner):
    page = _page(client, f"/salons/{world.salon.id}/customers/{world.customer.id}/messages")
    _assert_french(page, ("Messages automatiques à venir", "Envoyer un modèle", "Anniversaire"),
                   ("Upcoming automated messages", "Send a template", "None in the next 7 days"))


@pytest.mark.parametrize(("salon_language", "french"), [("fr", True), ("en", False)])
def test_the_public_pages_follow_the_salons_language_not_the_browser(app, client, world, salon_language, french):
    world.salon.language = salon_language
    world.salon.save()
    customer = consenting(world.salon, "Linda", phone="0788 100 100")
    secret = app.config["SECRET_KEY"]
    english_browser = {"Accept-Language": "en"}
    unsubscribe = _page(client, f"/m/unsubscribe/{links.unsubscribe_token(secret, world.salon.id, customer.id)}",
                        english_browser)
    feedback = _page(client, f"/m/feedback/{links.feedback_token(secret, world.salon.id, customer.id, 'visit:3')}",
                     english_browser)
    if french:
        assert 'lang="fr"' in unsubscribe and "Se désabonner" in unsubscribe and "Unsubscribe" not in unsubscribe
        assert "Comment s'est passée votre visite" in feedback and "How was your visit" not in feedback
    else:
        assert 'lang="en"' in unsubscribe and "Unsubscribe" in unsubscribe
        assert "How was your visit" in feedback


def test_a_lazy_service_message_is_shown_whole_beside_its_field(client, world, owner):
    """field_error must not treat a lazy translation as a list of characters."""
    url = f"/salons/{world.salon.id}/messages/settings"
    refused = client.post(url, data={"language": "xx", "quiet_start": "20:00", "quiet_end": "08:00",
                                     "marketing_cap": "2", "cap_days": "7"})
    assert refused.status_code == 422
    assert "Choose English, French or Kinyarwanda." in refused.get_data(as_text=True)
