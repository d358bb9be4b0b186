"""API tests: the web tests' World (a company with a member of every role, an outsider) and
a client that calls /api/v1/ with a member's token."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from relance.api.tokens import create_token
from relance.web.tests.factories import World


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    """Uploads in a temporary folder, no rate limit; and French again afterwards: a request
    with the English cookie leaves English active in the thread (the locale middleware
    activates, nothing deactivates), which later tests of French output would inherit."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.RELANCE_API_RATE_LIMIT = ""
    cache.clear()
    yield settings.UPLOAD_ROOT
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    return World()


class ApiClient:
    """Calls the API as one user (a fresh token), JSON in and out."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, secret = create_token(user, "tests")
            self.headers["Authorization"] = f"Bearer {secret}"

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body=None, *, key: str | None = None, **extra):
        headers = dict(self.headers, **({"Idempotency-Key": key} if key else {}))
        if "files" in extra:
            return self.client.post(path, extra["files"], headers=headers)
        data = json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type="application/json", headers=headers)

    def patch(self, path: str, body: dict):
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_as():
    """api_as(user) -> a client whose requests carry that user's token."""
    return ApiClient
