"""A property-based run of the whole OpenAPI document (schemathesis): every operation, called
with generated parameters and bodies (valid and invalid) through the WSGI application as an
admin with a token, never answers a server error (5xx).

The company is the test company and the customer code one of its customers, so the bodies
reach the forms and services instead of stopping at a 404; ids stay random. Examples per
operation are kept modest (EXAMPLES) so that the run stays well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from relance.api.api import api
from relance.api.tokens import create_token
from relance.team.models import Role
from relance.web.tests.factories import World, plan_records

EXAMPLES = 12
# Explicit examples and random (valid and invalid) data; the "coverage" phase, which would add
# hundreds of boundary cases per operation, is left to a manual run of the CLI.
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
APP = WSGIHandler()


@pytest.fixture
def bearer(db, settings):
    """An admin's token; requests keep the test's database connection (as Django's test
    client does: the WSGI handler would close it at the end of each request)."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    world = plan_records(World())
    _token, secret = create_token(world.user(Role.ADMIN), "schemathesis")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {secret}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case, bearer):
    path = case.path_parameters or {}
    if "company" in path:
        path["company"] = "acme"
    if "code" in path:
        path["code"] = "C001"
    response = case.call(app=APP, headers=bearer)
    case.validate_response(response, checks=[not_a_server_error])
