"""Letters keep their PDFs under UPLOAD_ROOT: a temporary folder in tests."""

import pytest
from django.utils import timezone

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
    # The world's customer is on hold: letters would be cancelled by the re-check.
    world.hold.lifted_at = timezone.now()
    world.hold.save()
    return world
