"""French by default, English after the language switch."""

import pytest

from relance.team.models import Role

pytestmark = pytest.mark.django_db


def test_pages_are_in_french_by_default(client, world):
    client.force_login(world.user(Role.ADMIN))
    page = client.get("/c/acme/invoices/").content.decode()
    assert "Échéance" in page and "Reste dû" in page and "Règlements" in page


def test_switching_to_english_shows_english_labels_and_amounts(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/c/acme/invoices/"})
    assert response["Location"] == "/c/acme/invoices/"
    page = client.get("/c/acme/invoices/").content.decode()
    assert "Due date" in page and "Open amount" in page and "Payments" in page
    assert "Échéance" not in page
    assert "€1,200.00" in page


def test_the_login_page_is_in_french(client):
    page = client.get("/login/").content.decode()
    assert "Connexion" in page and "Mot de passe" in page
