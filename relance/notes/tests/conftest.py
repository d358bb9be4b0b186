"""Notes tests run on the web tests' World: a company with a member of every role."""

import pytest
from django.conf import settings
from django.utils import translation

from relance.web.tests.factories import World


@pytest.fixture
def world(db):
    return World()


@pytest.fixture(autouse=True)
def french_again():
    """A request in English leaves English active in the thread (the locale middleware does
    not switch back): later tests expect the default language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
