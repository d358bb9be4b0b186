"""Production settings: `check --deploy` is clean, the settings refuse development values, and
a response carries the secure cookies and the security headers; Argon2 hashes passwords."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.core.exceptions import ImproperlyConfigured

from relance.security.csp import policy
from relance.security.production import require_production_settings

REPO = Path(__file__).resolve().parents[3]
SECRET = "k3J9-vQ2r_Xw7Lm0pZs8Tn4Yb6Hc1Fd5Ge9Ja2Rk7Ui3Oq0Pe6Wt8Sy4Vx1Nz5Mb"
PRODUCTION_ENV = {
    "RELANCE_ENV": "production",
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "relance.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://relance.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
}
# What a request sees under production settings, printed as JSON by a child process.
PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="relance.example.com")
plain = client.get("/login/")
secure = client.get("/login/", secure=True)
cookies = {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]),
                  "samesite": c["samesite"]} for name, c in secure.cookies.items()}
print(json.dumps({"plain": [plain.status_code, plain.get("Location")],
                  "status": secure.status_code, "headers": dict(secure.headers),
                  "cookies": cookies}))
"""


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_COOKIES", "DATABASE_URL"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="relance.settings", **env)
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=environment, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_with_the_development_defaults():
    """The test above proves something: the same check fails without RELANCE_ENV."""
    result = run(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode != 0
    for warning in ["security.W004", "security.W008", "security.W009", "security.W012"]:
        assert warning in result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY : définissez une clé secrète aléatoire"),
        ({"SECRET_KEY": "relance-insecure-" + "x" * 60}, "SECRET_KEY : définissez une clé"),
        ({"SECRET_KEY": "trop-courte"}, "SECRET_KEY : au moins 50 caractères aléatoires"),
        ({"SECRET_KEY": "a" * 80}, "SECRET_KEY : au moins 50 caractères aléatoires"),
        ({"DEBUG": True}, "DEBUG : doit valoir false en production"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS : le nom du serveur"),
        ({"ALLOWED_HOSTS": " "}, "ALLOWED_HOSTS : le nom du serveur"),
    ],
)
def test_production_refuses_a_development_value(change, message):
    env = {key: value for key, value in {**PRODUCTION_ENV, **change}.items() if value is not None}
    with pytest.raises(ImproperlyConfigured, match="RELANCE_ENV=production") as refused:
        require_production_settings(
            env.get("SECRET_KEY", "relance-insecure-development-key-change-me"),
            change.get("DEBUG", False),
            env,
        )
    assert message in str(refused.value)


def test_production_settings_pass_with_real_values():
    require_production_settings(SECRET, False, PRODUCTION_ENV)


def test_the_settings_module_refuses_to_load_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    result = run(["-m", "django", "check"], **env)
    assert result.returncode != 0
    assert "SECRET_KEY : définissez une clé secrète aléatoire" in result.stderr


def test_a_production_response_redirects_to_https_and_carries_the_security_headers():
    result = run(["-c", PROBE], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://relance.example.com/login/"]
    assert seen["status"] == 200
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert seen["cookies"]["csrftoken"] == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_the_session_cookie_is_secure_and_http_only_in_production():
    probe = PROBE.replace(
        'secure = client.get("/login/", secure=True)',
        "from django.contrib.auth.models import User\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "User.objects.create_user('paul', password='Correct-horse-42')\n"
        'secure = client.post("/login/", {"username": "paul", "password": "Correct-horse-42"},'
        " secure=True)",
    ).replace("client = Client(", "client = Client(enforce_csrf_checks=False, ")
    result = run(["-c", probe], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 302
    assert seen["cookies"]["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_every_response_carries_the_content_security_policy(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert csp == policy()
    for directive in [
        "default-src 'self'",
        "script-src 'self';",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_stripe_checkout_is_a_form_target_only_when_stripe_is_configured(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert "form-action 'self';" in policy()
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    assert "form-action 'self' https://checkout.stripe.com;" in policy()


def test_the_one_inline_stylesheet_allowed_is_the_reminder_emails():
    """Its hash is the browser's: SHA-256 of the text between <style> and </style>."""
    import base64
    import hashlib
    import re

    from django.template.loader import render_to_string

    html = render_to_string("dunning/email.html", {"subject": "S", "body": "B"})
    block = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}';" in policy()


def test_passwords_are_hashed_with_argon2_first(db):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert get_hasher().algorithm == "argon2"
    encoded = make_password("Correct-horse-42")
    assert encoded.startswith("argon2$argon2id$")
    assert identify_hasher(encoded).algorithm == "argon2"
