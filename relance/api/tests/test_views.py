"""The "Jetons d'API" and "Webhooks" pages (their role rules: role_cases.py, run with every
page's in relance/web/tests/test_roles.py)."""

import pytest

from relance.api.models import ApiToken, WebhookEndpoint
from relance.api.tokens import create_token, digest_of
from relance.team.models import Role

pytestmark = pytest.mark.django_db


def test_a_new_token_is_shown_once_and_stored_hashed(client, world):
    client.force_login(world.user(Role.READ_ONLY))
    page = client.post("/c/acme/api-tokens/", {"name": "Tableur", "lifetime": "30"})
    secret = page.context["secret"]
    assert secret.startswith("rlc_") and secret in page.content.decode()
    token = ApiToken.objects.get(user=world.user(Role.READ_ONLY))
    assert token.digest == digest_of(secret) and secret not in token.digest
    assert token.expires_at is not None
    listing = client.get("/c/acme/api-tokens/").content.decode()
    assert "Tableur" in listing and token.prefix in listing and secret not in listing


def test_a_token_without_a_name_is_refused_with_the_field(client, world):
    client.force_login(world.user(Role.ADMIN))
    page = client.post("/c/acme/api-tokens/", {"name": "", "lifetime": ""})
    assert page.context["secret"] is None and page.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_a_member_sees_and_revokes_only_their_own_tokens(client, world):
    mine, _secret = create_token(world.user(Role.MANAGER), "Le mien")
    theirs, _secret = create_token(world.user(Role.ADMIN), "Le sien")
    client.force_login(world.user(Role.MANAGER))
    assert "Le sien" not in client.get("/c/acme/api-tokens/").content.decode()
    assert client.post(f"/c/acme/api-tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/c/acme/api-tokens/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


def test_an_admin_registers_an_endpoint_with_its_own_secret(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.post(
        "/c/acme/webhooks/",
        {"url": "https://erp.example.fr/relance", "events": ["payment.received", "promise.made"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == f"/c/acme/webhooks/{endpoint.pk}/"
    assert endpoint.events == ["payment.received", "promise.made"]
    assert endpoint.secret.startswith("whsec_") and endpoint.created_by == world.user(Role.ADMIN)
    page = client.get(response["Location"]).content.decode()
    assert endpoint.secret in page and "Envoyer un événement de test" in page


def test_an_endpoint_needs_an_event_and_a_web_address(client, world):
    client.force_login(world.user(Role.ADMIN))
    page = client.post("/c/acme/webhooks/", {"url": "ftp://erp.example.fr/", "events": []})
    assert set(page.context["form"].errors) == {"url", "events"}
    assert not WebhookEndpoint.objects.exists()


def test_the_test_button_reports_the_answer_in_the_log(client, world):
    endpoint = WebhookEndpoint.objects.create(
        company=world.company, url="http://127.0.0.1:9/nobody", events=["ping"], secret="s"
    )
    client.force_login(world.user(Role.ADMIN))
    response = client.post(f"/c/acme/webhooks/{endpoint.pk}/test/", follow=True)
    page = response.content.decode()
    assert "Événement de test non livré" in page and "injoignable" in page
    assert "ping" in page


def test_a_new_secret_replaces_the_old_one(client, world):
    endpoint = WebhookEndpoint.objects.create(
        company=world.company, url="https://erp.example.fr/", events=["ping"], secret="old"
    )
    client.force_login(world.user(Role.ADMIN))
    client.post(f"/c/acme/webhooks/{endpoint.pk}/secret/")
    endpoint.refresh_from_db()
    assert endpoint.secret != "old" and endpoint.secret.startswith("whsec_")


def test_another_companys_endpoint_is_not_found(client, world):
    endpoint = WebhookEndpoint.objects.create(
        company=world.other_company, url="https://x.example/", events=["ping"], secret="s"
    )
    client.force_login(world.user(Role.ADMIN))
    assert client.get(f"/c/acme/webhooks/{endpoint.pk}/").status_code == 404
    assert client.post(f"/c/acme/webhooks/{endpoint.pk}/delete/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_the_navigation_links_to_tokens_and_to_webhooks_for_admins(client, world):
    client.force_login(world.user(Role.ADMIN))
    page = client.get("/c/acme/customers/").content.decode()
    assert "/c/acme/api-tokens/" in page and "/c/acme/webhooks/" in page
    client.force_login(world.user(Role.MANAGER))
    page = client.get("/c/acme/customers/").content.decode()
    assert "/c/acme/api-tokens/" in page and "/c/acme/webhooks/" not in page


def test_the_pages_speak_english_after_the_switch(client, world):
    client.force_login(world.user(Role.ADMIN))
    client.post("/i18n/setlang/", {"language": "en", "next": "/c/acme/api-tokens/"})
    page = client.get("/c/acme/api-tokens/").content.decode()
    assert "API tokens" in page and "Create the token" in page and "Jetons d'API" not in page
    assert "Delivery log" not in page
    webhooks = client.get("/c/acme/webhooks/").content.decode()
    assert "Add an endpoint" in webhooks and "Receiving URL" in webhooks
