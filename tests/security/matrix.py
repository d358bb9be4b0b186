"""The machinery of the authorisation matrix (test_authorisation_matrix.py): who asks, how an
answer is classed, and one request per principal on the same World, each rolled back.

A principal is a member of each role of the World's company, an outsider (administrator of
another company only) or an anonymous visitor. Every request runs inside a savepoint rolled
back afterwards, with the cache cleared and the client's cookies restored, so that each
principal meets exactly the same data and one success (a deletion, a logout) cannot change
what the next principal sees.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from django.core.cache import caches
from django.db import transaction
from django.test import Client

from relance.team.models import Role

ROLES = [Role.ADMIN, Role.MANAGER, Role.COLLECTOR, Role.SALES, Role.ACCOUNTANT, Role.READ_ONLY]
OUTSIDER, ANONYMOUS = "outsider", "anonymous"
PRINCIPALS = [*ROLES, OUTSIDER, ANONYMOUS]

# One letter per answer class, per role in the order of ROLES.
OK, FORBIDDEN, HIDDEN, NOT_ALLOWED, LOGIN = "O", "F", "H", "M", "L"
UNAUTHENTICATED = "U"  # the API's 401


def web_class(response, method: str) -> str:
    """The class of a page's answer: a success, 403, 404, 405, or the login page."""
    status = response.status_code
    location = response.get("Location", "")
    if status == 302 and (location.startswith("/login/") or location.startswith("/admin/login/")):
        return LOGIN
    if status in (200, 201, 204) or (method == "post" and status in (301, 302, 303)):
        return OK
    return {403: FORBIDDEN, 404: HIDDEN, 405: NOT_ALLOWED, 401: UNAUTHENTICATED}.get(
        status, f"<{status}>"
    )


class Principals:
    """A logged-in test client per principal of the world (built once, outside savepoints)."""

    def __init__(self, world, login: Callable[[Client, object], None] | None = None) -> None:
        self.world = world
        users = {role: world.user(role) for role in ROLES} | {OUTSIDER: world.outsider}
        self.clients: dict[str, Client] = {ANONYMOUS: Client()}
        for name, user in users.items():
            client = Client()
            (login or Client.force_login)(client, user)
            self.clients[name] = client

    def ask(self, principal: str, send: Callable[[Client], object], prepare=None):
        """`send(client)` as `principal`, on the data as it stands now; rolled back after."""
        client = self.clients[principal]
        cookies = copy.deepcopy(client.cookies)
        for alias in ("default", "reports"):
            caches[alias].clear()
        try:
            with transaction.atomic():
                if prepare is not None:
                    prepare(client)
                response = send(client)
                transaction.set_rollback(True)
        finally:
            client.cookies = cookies
        return response
