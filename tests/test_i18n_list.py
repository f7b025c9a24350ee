"""The customer list, its CSV export, imports, duplicates and merges, and the client's rights speak French.

Each page is opened by an owner without a language choice whose browser asks for French: a few French words must
be there and the page's English words gone. Names, tags and phone numbers stay as typed.
"""
import html

from salon_web.services import export
from tests import factories
from tests.api_helpers import api_as
from tests.test_import_views import _upload

FR = {"Accept-Language": "fr"}


def _page(client, url, status=200):
    response = client.get(url, headers=FR)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return html.unescape(response.get_data(as_text=True))


def test_the_customer_list_in_french(client, world, login_as):
    login_as("owner")
    page = _page(client, f"/salons/{world.salon.id}/customers")
    assert "Nouveau client" in page and "Appliquer les filtres" in page and "Exporter en CSV" in page
    assert "1 client" in page and "Dernière visite" in page and "Aline Uwase" in page and "VIP" in page
    for english in ("New customer", "Apply filters", "Export CSV", "Last visit", "Total spent", "1 customer"):
        assert english not in page


def test_a_refused_filter_is_explained_in_french(client, world, login_as):
    login_as("owner")
    page = _page(client, f"/salons/{world.salon.id}/customers?min_visits=-1&tags=Nope", status=422)
    assert "Certains filtres n'ont pas pu être appliqués." in page
    assert "Saisissez un nombre entier de visites, 0 ou plus." in page and "Aucune étiquette nommée “Nope”" in page
    assert "Some filters could not be used." not in page and "Enter a whole number" not in page


def test_bulk_tagging_flashes_in_french(client, world, login_as):
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/bulk-tags"
    response = client.post(url, data={"action": "add", "tag": "Fidèle", "scope": "all"}, headers=FR)
    assert response.status_code == 303
    page = _page(client, response.headers["Location"])
    assert "Étiquette « Fidèle » ajoutée à 1 client." in page and "added to" not in page


def test_the_csv_header_follows_the_language_and_keeps_its_order(client, world, login_as):
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/export"
    french = client.get(url, headers=FR).get_data(as_text=True).lstrip("\ufeff").splitlines()
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert french[0].split(",")[:5] == ["Nom", "Téléphone", "E-mail", "Visites", "Total dépensé (RWF)"]
    assert english[0] == ",".join(export.header("RWF"))  # English: the golden header, unchanged
    assert len(french[0].split(",")) == len(english[0].split(",")) and french[1:] == english[1:]


def test_the_import_pages_in_french(client, world, login_as):
    login_as("owner")
    listing = _page(client, f"/salons/{world.salon.id}/imports")
    assert "Téléverser un fichier clients" in listing and "Téléverser et choisir les colonnes" in listing
    assert "Upload a client book" not in listing and "Back to customers" not in listing
    response = _upload(client, world.salon)
    assert response.status_code == 303
    page = _page(client, response.headers["Location"])
    assert "Quelle colonne contient quoi ?" in page and "Choisir les colonnes" in page and "2 lignes" in page
    assert "Which column holds what?" not in page and "Dry run" not in page and "2 rows" not in page
    listing = _page(client, f"/salons/{world.salon.id}/imports")
    assert "clients.csv" in listing and "Choisir les colonnes" in listing and "uploaded" not in listing
    form = {"column-0": "full_name", "column-1": "phone", "column-2": "email", "column-3": "tags"}
    assert client.post(response.headers["Location"] + "/preview", data=form, headers=FR).status_code == 303
    rejected = client.get(response.headers["Location"] + "/rejected.csv", headers=FR).get_data(as_text=True)
    header = rejected.lstrip("\ufeff").splitlines()[0].split(",")
    assert (header[0], header[-2:]) == ("Ligne", ["Action", "Motif"]) and "Dede" in rejected


def test_an_unreadable_file_is_refused_in_french(client, world, login_as):
    login_as("owner")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = html.unescape(_upload(client, world.salon, data=b"Name\n").get_data(as_text=True))
    assert "Le fichier a une ligne d'en-tête mais aucun client en dessous." in page and "no clients" not in page


def test_duplicates_and_the_merge_page_in_french(client, world, login_as):
    login_as("owner")
    twin = factories.make_customer(world.salon, "Aline Uwase", phone="0788 999 000")
    page = _page(client, f"/salons/{world.salon.id}/customers/duplicates")
    assert "Doublons possibles" in page and "même nom" in page and "Comparer et fusionner" in page
    assert "Possible duplicates" not in page and "same name" not in page
    compare = _page(client, f"/salons/{world.salon.id}/customers/duplicates/compare?first={world.customer.id}"
                            f"&second={twin.id}")
    assert "Fusionner deux fiches" in compare and "Garder cette fiche" in compare and "0 visite" in compare
    assert "Merge two cards" not in compare and "Keep this card" not in compare and "0 visits" not in compare


def test_the_forget_page_in_french(client, world, login_as):
    login_as("owner")
    url = f"/salons/{world.salon.id}/customers/{world.customer.id}/forget"
    page = _page(client, url)
    assert "Oublier Aline Uwase ?" in page and "Télécharger d'abord les données de ce client" in page
    assert "Forget this client" not in page and "It cannot be undone." not in page
    refused = client.post(url, data={}, headers=FR)
    assert refused.status_code == 422
    assert "Cochez la case pour confirmer : c'est irréversible." in html.unescape(refused.get_data(as_text=True))


def test_the_customers_api_answers_in_the_callers_language(app, world):
    response = api_as(app, world, "owner").get(f"/salons/{world.salon.id}/customers?tags=Nope", headers=FR)
    assert response.status_code == 422
    body = response.get_json()
    assert body["detail"] == "Le filtre n'est pas valide."
    assert body["errors"][0]["message"] == "Aucune étiquette nommée “Nope” dans ce salon."
