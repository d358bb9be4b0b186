"""Import pages: upload, preview, confirm (background run), progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relance.imports import services as import_services
from relance.imports.models import ImportBatch, ImportRejection
from relance.ledger.models import Customer
from relance.team.models import Role
from relance.web.views import imports as import_views

pytestmark = pytest.mark.django_db


def upload(client, mapping=b""):
    data = {
        "kind": "customers",
        "file": SimpleUploadedFile("clients.csv", b"code;nom\nC9;Client neuf\n"),
    }
    if mapping:
        data["mapping"] = SimpleUploadedFile("mapping.toml", mapping)
    return client.post("/c/acme/imports/", data)


def test_upload_preview_confirm_imports_the_file(
    client, world, settings, django_capture_on_commit_callbacks, monkeypatch
):
    runs = []

    def run_now(batch_id, path, mapping_text):
        runs.append((batch_id, path))
        import_services.run_import_batch(batch_id, path, mapping_text)

    monkeypatch.setattr(import_views, "run_in_background", run_now)
    client.force_login(world.user(Role.ACCOUNTANT))
    preview_url = upload(client, b'[columns]\ncode = "code"\nname = "nom"\n')["Location"]
    page = client.get(preview_url).content.decode()
    assert "Client neuf" in page and "Lancer l" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url)
    batch = ImportBatch.objects.get(company=world.company, file_name="clients.csv")
    assert response["Location"] == f"/c/acme/imports/{batch.pk}/"
    assert runs == [(batch.pk, str(settings.UPLOAD_ROOT / "acme" / str(batch.pk) / "clients.csv"))]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert batch.counts["created"] == {"customers": 1}
    assert Customer.objects.get(company=world.company, code="C9").name == "Client neuf"
    page = client.get(response["Location"]).content.decode()
    assert "créés" in page and "every 1s" not in page


def test_an_unreadable_file_is_explained_on_the_preview(client, world):
    client.force_login(world.user(Role.ACCOUNTANT))
    data = {"kind": "invoices", "file": SimpleUploadedFile("factures.csv", b"a;b\n1;2\n")}
    preview_url = client.post("/c/acme/imports/", data)["Location"]
    page = client.get(preview_url).content.decode()
    assert "colonnes obligatoires" in page or "Introuvable" in page
    assert "Lancer l" not in page


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


def test_progress_polls_while_running_then_shows_rejected_lines(client, world):
    client.force_login(world.user(Role.READ_ONLY))
    batch = world.batch
    batch.total_lines, batch.processed_lines = 200, 50
    ImportBatch.objects.filter(pk=batch.pk).update(total_lines=200, processed_lines=50)
    fragment = client.get(f"/c/acme/imports/{batch.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="25"' in fragment
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.DONE, counts={"created": {"customers": 3}}
    )
    ImportRejection.objects.create(batch=batch, line=7, reason="SIREN invalide")
    fragment = client.get(f"/c/acme/imports/{batch.pk}/progress/").content.decode()
    assert "every 1s" not in fragment and "SIREN invalide" in fragment and "créés" in fragment
