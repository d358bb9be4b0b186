"""Attempts on the debtors' pages, limited per client IP address (Django's cache).

Within each window of RELANCE_PORTAL_RATE_WINDOW seconds, an address may make
RELANCE_PORTAL_RATE_REQUESTS requests to /p/... and present RELANCE_PORTAL_RATE_FAILURES
wrong, expired or revoked links; beyond either, every page answers 429 until the window ends.
A debtor clicking around their page stays far below; someone trying links by the thousand
stops after a handful.

The counters live in Django's cache: per process with the default in-memory cache, so a
deployment with several processes or machines configures a shared one (CACHES). The address
is REMOTE_ADDR: behind a reverse proxy, make it pass the client's address (for instance
gunicorn's --forwarded-allow-ips), or every debtor shares the proxy's counters.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, ip: str, now: float | None = None) -> str:
    window = int((now or time.time()) // settings.RELANCE_PORTAL_RATE_WINDOW)
    return f"relance.portal:{kind}:{window}:{ip}"


def _count(kind: str, ip: str) -> int:
    """Add one to the address's counter of this window; the new count."""
    key = _key(kind, ip)
    if cache.add(key, 1, timeout=settings.RELANCE_PORTAL_RATE_WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.RELANCE_PORTAL_RATE_WINDOW)
        return 1


def is_limited(ip: str) -> bool:
    """Whether the address is over a limit of this window; counts this request."""
    failures = cache.get(_key("failures", ip), 0)
    if failures >= settings.RELANCE_PORTAL_RATE_FAILURES:
        return True
    return _count("requests", ip) > settings.RELANCE_PORTAL_RATE_REQUESTS


def note_failure(ip: str) -> None:
    """A wrong, expired or revoked link was presented from this address."""
    _count("failures", ip)
