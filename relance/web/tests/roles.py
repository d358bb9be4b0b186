"""The role rules every company-scoped view must follow, as a reusable test helper.

Describe a view with a `RoleCase` (URL builder, method, data, the role allowed and the role
that must be refused) and `assert_role_rules` checks, in this order:

- anonymous: redirected to the login page;
- outsider (member of another company only): 404, the same answer as an unknown company;
- read-only role: 403 on a write (`denied` role), 200 on a read (`reader` role);
- allowed role: 200 (GET) or 302 (POST that succeeded), or `expect` if given.

`role_test(cases)` turns a list of cases into a parametrized pytest test; every case runs on
a fresh `World` (see factories.py):

    test_customer_roles = role_test([
        RoleCase("customer_list", lambda w: f"/c/{w.company.code}/customers/"),
        RoleCase("customer_create", lambda w: "/c/acme/customers/new/", method="post",
                 data=lambda w: {"code": "N1", "name": "Nouveau"}, denied=Role.READ_ONLY),
    ])

`covered_url_names(cases)` lists (url name, method) pairs so a test can check that every
view under /c/<code>/ has its role tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from relance.team.models import Role

from .factories import World


@dataclass(frozen=True)
class RoleCase:
    name: str  # URL name, used by the coverage test
    url: Callable[[World], str]
    method: str = "get"
    data: Callable[[World], dict] | None = None
    allowed: str = Role.ADMIN
    denied: str | None = None  # a member whose role may not do this: 403
    reader: str | None = Role.READ_ONLY  # a member who may read this page: 200
    expect: int | None = None  # status for the allowed role (default 200 GET, 302 POST)
    before_allowed: Callable | None = field(default=None, compare=False)  # (client, world)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}"


def _send(client, case: RoleCase, world: World):
    url = case.url(world)
    if case.method == "post":
        return client.post(url, case.data(world) if case.data else {})
    return client.get(url)


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


def assert_role_rules(client, world: World, case: RoleCase) -> None:
    _as(client, None)
    response = _send(client, case, world)
    assert response.status_code == 302, f"{case.id}: anonymous got {response.status_code}"
    assert response["Location"].startswith("/login/"), case.id

    _as(client, world.outsider)
    assert _send(client, case, world).status_code == 404, f"{case.id}: outsider not 404"

    if case.denied:
        _as(client, world.user(case.denied))
        status = _send(client, case, world).status_code
        assert status == 403, f"{case.id}: {case.denied} got {status}, expected 403"
    elif case.reader:
        _as(client, world.user(case.reader))
        status = _send(client, case, world).status_code
        assert status == 200, f"{case.id}: {case.reader} got {status}, expected 200"

    _as(client, world.user(case.allowed))
    if case.before_allowed:
        case.before_allowed(client, world)
    response = _send(client, case, world)
    expected = case.expect or (302 if case.method == "post" else 200)
    errors = getattr(response, "context", None) and response.context.get("form")
    assert response.status_code == expected, (
        f"{case.id}: {case.allowed} got {response.status_code}, expected {expected}; "
        f"form errors: {errors.errors if errors else None}"
    )


def role_test(cases: list[RoleCase]):
    """A parametrized pytest test running `assert_role_rules` for each case."""

    @pytest.mark.django_db
    @pytest.mark.parametrize("case", cases, ids=[case.id for case in cases])
    def test_role_rules(client, case):
        assert_role_rules(client, World(), case)

    return test_role_rules


def covered_url_names(cases: list[RoleCase]) -> set[tuple[str, str]]:
    return {(case.name, case.method) for case in cases}
