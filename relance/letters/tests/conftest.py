"""Letters keep their PDFs under UPLOAD_ROOT: a temporary folder in tests."""

import pytest

from relance.web.tests.factories import World

from .factories import addressed, letterhead


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


@pytest.fixture
def world(db):
    world = World()
    letterhead(world.company)
    addressed(world.customer)
    addressed(world.foreign_customer)
    return world
