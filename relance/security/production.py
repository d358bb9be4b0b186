"""RELANCE_ENV=production refuses to start with development defaults.

Django's `check --deploy` only warns; a server started with the development key would sign
sessions and portal links with a key published in this repository, so the settings stop it
before anything is served.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

# Django's own threshold for security.W009.
MIN_SECRET_KEY_LENGTH = 50
DEVELOPMENT_KEY_PREFIX = "relance-insecure-"


def require_production_settings(secret_key: str, debug: bool, env: Mapping[str, str]) -> None:
    """Raise ImproperlyConfigured, saying which variable to set, when production would run
    with a development value."""
    problems = []
    if secret_key.startswith(DEVELOPMENT_KEY_PREFIX) or "SECRET_KEY" not in env:
        problems.append("SECRET_KEY : définissez une clé secrète aléatoire")
    elif len(secret_key) < MIN_SECRET_KEY_LENGTH or len(set(secret_key)) < 5:
        problems.append(f"SECRET_KEY : au moins {MIN_SECRET_KEY_LENGTH} caractères aléatoires")
    if debug:
        problems.append("DEBUG : doit valoir false en production")
    if not env.get("ALLOWED_HOSTS", "").strip():
        problems.append("ALLOWED_HOSTS : le nom du serveur (relance.example.com)")
    if problems:
        raise ImproperlyConfigured(
            "RELANCE_ENV=production : réglages manquants ou non sûrs — " + " ; ".join(problems)
        )
