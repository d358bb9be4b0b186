"""Bearer-token authentication and the per-token rate limit of /api/v1/.

`Authorization: Bearer rlc_…`: the token acts as its user (request.user), and the company
scoping and roles are then exactly the web UI's (relance.api.scope).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from .models import ApiToken
from .tokens import active_token

_UNSET = object()


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_of(request, token)


def token_of(request: HttpRequest, secret: str | None = None) -> ApiToken | None:
    """The request's active token, looked up once per request (the idempotency layer asks
    before ninja does)."""
    found = getattr(request, "_api_token", _UNSET)
    if found is _UNSET:
        if secret is None:
            scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
            secret = secret.strip() if scheme.lower() == "bearer" else ""
        found = active_token(secret) if secret else None
        request._api_token = found
        if found is not None:
            request.user = found.user
    return found


class TokenRateThrottle(SimpleRateThrottle):
    """At most RELANCE_API_RATE_LIMIT requests per token (e.g. "600/min"; empty: no limit),
    counted in Django's cache (per process with the default local-memory cache)."""

    scope = "token"

    def __init__(self) -> None:
        super().__init__(rate="1/s")  # replaced by the setting read at each request

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, "RELANCE_API_RATE_LIMIT", "")
        if not rate:
            return True
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        return f"relance_api_throttle_{token.pk}" if token is not None else None
