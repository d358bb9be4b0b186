"""Web tests never touch the real upload folder nor the real import service."""

from types import SimpleNamespace

import pytest

from relance.web.views import imports as import_views

from .factories import World


class FakeImports:
    """Stands in for relance.imports.services: records the runs it was asked for."""

    def __init__(self):
        self.runs = []

    def preview(self, kind, path, mapping_text):
        return SimpleNamespace(headers=["code", "nom"], mapping={"code": "code", "name": "nom"},
                               missing=[], rows=[["C9", "Client neuf"]])

    def run_import_batch(self, batch_id, path, mapping_text):
        self.runs.append((batch_id, path, mapping_text))


@pytest.fixture(autouse=True)
def fake_imports(monkeypatch, settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    fake = FakeImports()
    monkeypatch.setattr(import_views, "import_service", lambda name: getattr(fake, name))
    return fake


@pytest.fixture
def world(db):
    return World()
