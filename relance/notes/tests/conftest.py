"""Notes tests run on the web tests' World: a company with a member of every role."""

import pytest

from relance.web.tests.factories import World


@pytest.fixture
def world(db):
    return World()
