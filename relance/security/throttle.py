"""Failed logins, limited per user name and per client address (Django's cache).

After RELANCE_LOGIN_FAILURES_PER_USER failures for one user name (5 by default), or
RELANCE_LOGIN_FAILURES_PER_IP from one address (20: the people of one office often share an
address), each within RELANCE_LOGIN_WINDOW seconds of the previous one (15 minutes), the login
form refuses every attempt for that name or address, right or wrong, until the window has
passed without a failure; the password is not even checked meanwhile, so guessing goes no
faster. A successful login clears its user name's count. Unknown and known user names count
the same way: the answer says nothing about which exist.

The counters live in Django's default cache, per process unless CACHES shares one between
processes and machines. The address is REMOTE_ADDR (as for the debtor's pages): behind a
reverse proxy, make the server pass the client's address, or everyone shares the proxy's.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    return (request.META.get("REMOTE_ADDR", "") if request is not None else "") or "unknown"


class LoginThrottle:
    """The failure counters an attempt to log in as `username` from `request` answers to."""

    def __init__(self, request, username: str) -> None:
        name = hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()
        self.limits = {
            f"relance.login:user:{name}": settings.RELANCE_LOGIN_FAILURES_PER_USER,
            f"relance.login:ip:{client_ip(request)}": settings.RELANCE_LOGIN_FAILURES_PER_IP,
        }
        self.user_key = next(iter(self.limits))

    @property
    def window(self) -> int:
        return settings.RELANCE_LOGIN_WINDOW

    def is_locked(self) -> bool:
        counts = cache.get_many(list(self.limits))
        return any(counts.get(key, 0) >= limit for key, limit in self.limits.items())

    def failed(self) -> None:
        """Count a failure against the name and the address; each count lasts a window from
        its latest failure."""
        for key in self.limits:
            if not cache.add(key, 1, timeout=self.window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, timeout=self.window)
                cache.touch(key, timeout=self.window)

    def succeeded(self) -> None:
        cache.delete(self.user_key)
