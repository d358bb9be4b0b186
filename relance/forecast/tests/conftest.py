"""Forecast tests: the web tests' World (a company, a member of every role, two customers)."""

import pytest

from relance.web.tests.factories import World


@pytest.fixture
def world(db):
    return World()
