"""Web tests keep their uploads in a temporary folder."""

import pytest

from .factories import World


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


@pytest.fixture
def world(db):
    return World()
