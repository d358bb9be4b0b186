"""Import pages: upload, preview, confirm (background run), progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relance.imports.models import ImportBatch, ImportRejection
from relance.team.models import Role
from relance.web.views import imports as import_views

pytestmark = pytest.mark.django_db


def upload(client, mapping=b""):
    data = {"kind": "customers", "file": SimpleUploadedFile("clients.csv", b"code;nom\nC9;X\n")}
    if mapping:
        data["mapping"] = SimpleUploadedFile("mapping.toml", mapping)
    return client.post("/c/acme/imports/", data)


def test_upload_preview_confirm_runs_the_import_in_the_background(
        client, world, fake_imports, settings, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(import_views, "run_in_background",
                        lambda *args: fake_imports.run_import_batch(*args))
    client.force_login(world.user(Role.ACCOUNTANT))
    preview_url = upload(client, b'[columns]\ncode = "code"\n')["Location"]
    page = client.get(preview_url).content.decode()
    assert "Client neuf" in page and "Lancer l" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url)
    batch = ImportBatch.objects.get(company=world.company, file_name="clients.csv")
    assert response["Location"] == f"/c/acme/imports/{batch.pk}/"
    (batch_id, path, mapping_text), = fake_imports.runs
    assert batch_id == batch.pk and mapping_text.startswith("[columns]")
    assert path == str(settings.UPLOAD_ROOT / "acme" / str(batch.pk) / "clients.csv")


def test_a_confirmed_preview_cannot_be_confirmed_twice(client, world):
    client.force_login(world.user(Role.ADMIN))
    preview_url = upload(client)["Location"]
    client.post(preview_url)
    assert client.post(preview_url).status_code == 404


def test_the_preview_of_another_users_upload_is_not_found(client, world):
    client.force_login(world.user(Role.ADMIN))
    preview_url = upload(client)["Location"]
    client.force_login(world.user(Role.MANAGER))
    assert client.get(preview_url).status_code == 404


def test_a_missing_import_service_says_so(client, world, monkeypatch):
    def missing(name):
        raise import_views.ImportServiceMissing(f"relance.imports.services.{name} missing")

    monkeypatch.setattr(import_views, "import_service", missing)
    client.force_login(world.user(Role.ADMIN))
    preview_url = upload(client)["Location"]
    with pytest.raises(import_views.ImportServiceMissing):
        client.post(preview_url)
    assert not ImportBatch.objects.filter(file_name="clients.csv").exists()


def test_progress_polls_while_running_then_shows_rejected_lines(client, world):
    client.force_login(world.user(Role.READ_ONLY))
    batch = world.batch
    batch.total_lines, batch.processed_lines = 200, 50
    ImportBatch.objects.filter(pk=batch.pk).update(total_lines=200, processed_lines=50)
    fragment = client.get(f"/c/acme/imports/{batch.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="25"' in fragment
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.DONE, counts={"created": {"customers": 3}})
    ImportRejection.objects.create(batch=batch, line=7, reason="SIREN invalide")
    fragment = client.get(f"/c/acme/imports/{batch.pk}/progress/").content.decode()
    assert "every 1s" not in fragment and "SIREN invalide" in fragment and "créés" in fragment
