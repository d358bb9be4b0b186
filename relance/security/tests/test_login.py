"""Failed logins are throttled per user name and per address, on the application's login page
and on the Django admin's, with a French message; a right password is refused too while locked,
and a success clears the user name's count."""

import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.cache.backends import locmem

from relance.web.tests.factories import make_user

PASSWORD = "Correct-horse-42"


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    # Argon2 is tested in test_settings.py; here, dozens of attempts would wait for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RELANCE_LOGIN_FAILURES_PER_USER = 5
    settings.RELANCE_LOGIN_FAILURES_PER_IP = 20
    settings.RELANCE_LOGIN_WINDOW = 900
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def paul(db):
    return make_user("paul", PASSWORD)


def attempt(client, username: str, password: str, ip: str = "192.0.2.10", url="/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_user_name_even_for_the_right_one(client, paul):
    for _ in range(5):
        response = attempt(client, "paul", "wrong")
        assert response.status_code == 200
        assert "Identifiant ou mot de passe incorrect." in response.content.decode()
    response = attempt(client, "paul", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Trop de tentatives de connexion échouées" in text
    assert "pendant 15 minutes" in text
    assert "_auth_user_id" not in client.session


def test_four_failures_then_the_right_password_logs_in_and_clears_the_count(client, paul):
    for _ in range(4):
        attempt(client, "paul", "wrong")
    assert attempt(client, "paul", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):  # the count started again from zero
        attempt(client, "paul", "wrong")
    assert attempt(client, "paul", PASSWORD).status_code == 302


def test_the_user_name_is_locked_whatever_the_address_and_its_case(client, paul):
    for number in range(5):
        attempt(client, "Paul", "wrong", ip=f"198.51.100.{number}")
    assert attempt(client, " PAUL ", PASSWORD, ip="203.0.113.9").status_code == 429


def test_an_unknown_user_name_is_counted_like_a_known_one(client, db):
    for _ in range(5):
        assert attempt(client, "nobody", "wrong").status_code == 200
    assert attempt(client, "nobody", "wrong").status_code == 429


def test_twenty_failures_from_one_address_lock_it_for_every_user_name(client, paul):
    for number in range(20):
        attempt(client, f"guess{number}", "wrong", ip="192.0.2.66")
    assert attempt(client, "paul", PASSWORD, ip="192.0.2.66").status_code == 429
    assert attempt(client, "paul", PASSWORD, ip="192.0.2.67").status_code == 302


def test_the_lock_ends_a_window_after_the_last_failure(client, paul, monkeypatch):
    for _ in range(5):
        attempt(client, "paul", "wrong")
    now = time.time()
    later(monkeypatch, now + 600)  # the refused attempt does not extend the lock
    assert attempt(client, "paul", PASSWORD).status_code == 429
    later(monkeypatch, now + 901)
    assert attempt(client, "paul", PASSWORD).status_code == 302


def later(monkeypatch, moment: float) -> None:
    """The cache's clock (LocMemCache reads time.time() for expiry) moved to `moment`."""
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: moment))


def test_the_django_admin_login_is_throttled_too(client, paul):
    paul.is_staff = True
    paul.save()
    for _ in range(5):
        attempt(client, "paul", "wrong", url="/admin/login/")
    response = attempt(client, "paul", PASSWORD, url="/admin/login/")
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "_auth_user_id" not in client.session
