"""The role rules every API operation follows, as a table (the API's RoleCase).

For each case, on a fresh World: anonymous gets 401 `unauthenticated`; an outsider (member of
another company only) gets 404 `not_found`, as for an unknown company; the `denied` role gets
403 `forbidden`, or else the `reader` role gets 200; the `allowed` role gets `expect`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from relance.team.models import Role
from relance.web.tests.factories import World

from .conftest import ApiClient

ROOT = "/api/v1/companies"


@dataclass(frozen=True)
class ApiCase:
    name: str  # the OpenAPI operation id, used by the coverage test
    method: str
    path: Callable[[World], str]  # below /api/v1/companies/<code>/
    body: Callable[[World], dict] | None = None
    allowed: str = Role.ADMIN
    denied: str | None = None
    reader: str | None = Role.READ_ONLY
    expect: int | None = None  # default: 200, 201 for a POST that creates
    before: Callable | None = field(default=None, compare=False)  # before(world)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}"

    def expected(self) -> int:
        return self.expect or 200


def send(client: ApiClient, case: ApiCase, world: World, company: str | None = None):
    path = f"{ROOT}/{company or world.company.code}/{case.path(world)}"
    body = case.body(world) if case.body else None
    if case.method == "get":
        return client.get(path)
    if case.method == "patch":
        return client.patch(path, body or {})
    if body is not None and "files" in body:
        return client.post(path, files=body["files"])
    return client.post(path, body)


def check(response, status: int, code: str | None, case: ApiCase, who: str) -> None:
    assert response.status_code == status, (
        f"{case.id}: {who} got {response.status_code}, expected {status}: "
        f"{response.content[:300]!r}"
    )
    if code is not None:
        assert response.json()["code"] == code, f"{case.id}: {who}"


def assert_api_role_rules(world: World, case: ApiCase) -> None:
    check(send(ApiClient(), case, world), 401, "unauthenticated", case, "anonymous")
    check(send(ApiClient(world.outsider), case, world), 404, "not_found", case, "outsider")
    check(
        send(ApiClient(world.outsider), case, world, company="nowhere"),
        404,
        "not_found",
        case,
        "unknown company",
    )
    if case.denied:
        client = ApiClient(world.user(case.denied))
        check(send(client, case, world), 403, "forbidden", case, case.denied)
    elif case.reader:
        client = ApiClient(world.user(case.reader))
        check(send(client, case, world), 200, None, case, case.reader)
    if case.before:
        case.before(world)
    client = ApiClient(world.user(case.allowed))
    check(send(client, case, world), case.expected(), None, case, case.allowed)


def api_role_test(cases: list[ApiCase]):
    @pytest.mark.django_db
    @pytest.mark.parametrize("case", cases, ids=[case.id for case in cases])
    def test_api_role_rules(case):
        assert_api_role_rules(World(), case)

    return test_api_role_rules
