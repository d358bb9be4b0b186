"""API tokens: the bearer acts as its user; unknown, revoked and expired tokens (and inactive
users) all get the same 401; stored as SHA-256; the command line creates, lists, revokes."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from relance.api.models import ApiToken
from relance.api.tokens import TOUCH_EVERY, active_token, create_token, digest_of, revoke_token
from relance.team.models import Role

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> ApiClient:
    client = ApiClient()
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def test_a_token_acts_as_its_user_in_each_of_their_companies(world):
    token, secret = create_token(world.outsider, "ERP")
    answer = bearer(secret).get("/api/v1/me").json()
    assert answer == {
        "username": "outsider",
        "token": "ERP",
        "companies": [{"code": "other", "name": "Other SARL", "currency": "EUR", "role": "admin"}],
    }
    assert [c["code"] for c in bearer(secret).get("/api/v1/companies").json()] == ["other"]


def test_refused_tokens_all_get_the_same_answer(world):
    user = world.user(Role.MANAGER)
    _revoked, revoked = create_token(user, "révoqué")
    revoke_token(_revoked)
    _expired, expired = create_token(user, "expiré", expires_at=timezone.now() + timedelta(1))
    ApiToken.objects.filter(pk=_expired.pk).update(expires_at=timezone.now() - timedelta(1))
    inactive_user = world.user(Role.SALES)
    _inactive, inactive = create_token(inactive_user, "inactif")
    inactive_user.is_active = False
    inactive_user.save()
    answers = [
        bearer(secret).get("/api/v1/companies/acme/customers")
        for secret in (revoked, expired, inactive, "rlc_unknown", "not-a-token", revoked + "x")
    ]
    assert {a.status_code for a in answers} == {401}
    assert len({a.content for a in answers}) == 1
    assert answers[0].json()["code"] == "unauthenticated"
    assert answers[0]["WWW-Authenticate"].startswith("Bearer")


def test_a_logged_in_session_is_not_an_api_token(client, world):
    client.force_login(world.user(Role.ADMIN))
    assert client.get("/api/v1/companies/acme/customers").status_code == 401


def test_only_the_sha256_is_kept(world):
    token, secret = create_token(world.user(Role.ADMIN), "ERP")
    assert token.digest == digest_of(secret) and len(token.digest) == 64
    assert not ApiToken.objects.filter(digest=secret).exists()
    assert secret.startswith(token.prefix) and len(token.prefix) < 10


def test_the_last_use_is_recorded_at_most_once_a_minute(world):
    token, secret = create_token(world.user(Role.ADMIN), "ERP")
    start = timezone.now()
    active_token(secret, now=start)
    active_token(secret, now=start + TOUCH_EVERY / 2)
    token.refresh_from_db()
    assert token.last_used_at == start
    active_token(secret, now=start + TOUCH_EVERY)
    token.refresh_from_db()
    assert token.last_used_at == start + TOUCH_EVERY


def test_a_revoked_token_stops_at_once(world):
    token, secret = create_token(world.user(Role.ADMIN), "ERP")
    assert bearer(secret).get("/api/v1/me").status_code == 200
    revoke_token(token)
    assert bearer(secret).get("/api/v1/me").status_code == 401


def test_the_command_prints_the_secret_once_and_lists_without_it(world):
    out, err = StringIO(), StringIO()
    call_command("token", "create", "--user", "admin-acme", "--name", "ERP", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert active_token(secret).user == world.user(Role.ADMIN)
    assert "conservez-le" in err.getvalue()
    listing = StringIO()
    call_command("token", "list", "--user", "admin-acme", stdout=listing)
    assert "ERP" in listing.getvalue() and secret not in listing.getvalue()
    token = ApiToken.objects.get()
    call_command("token", "revoke", "--id", str(token.pk), stdout=StringIO())
    assert active_token(secret) is None


def test_the_command_refuses_an_unknown_user_and_a_past_expiry(world):
    with pytest.raises(CommandError, match="utilisateur inconnu : personne"):
        call_command("token", "create", "--user", "personne")
    with pytest.raises(CommandError, match="au moins 1 jour"):
        call_command("token", "create", "--user", "admin-acme", "--expires-in-days", "0")


def test_too_many_requests_are_refused_per_token(settings, world):
    settings.RELANCE_API_RATE_LIMIT = "3/min"
    _token, secret = create_token(world.user(Role.ADMIN), "ERP")
    _other, other = create_token(world.user(Role.MANAGER), "ERP")
    statuses = [bearer(secret).get("/api/v1/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert bearer(secret).get("/api/v1/me").json()["code"] == "rate_limited"
    assert bearer(other).get("/api/v1/me").status_code == 200
