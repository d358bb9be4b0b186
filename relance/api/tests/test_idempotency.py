"""Idempotency keys on POST, and POSTs that fail half way leaving nothing written."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from relance.api.models import IdempotencyKey
from relance.imports.models import ImportBatch
from relance.ledger.models import Customer
from relance.team.models import Role

from .conftest import ApiClient

pytestmark = pytest.mark.django_db
CUSTOMERS = "/api/v1/companies/acme/customers"


@pytest.fixture
def admin(world):
    return ApiClient(world.user(Role.ADMIN))


def test_a_retried_post_creates_once_and_gets_the_first_answer_again(admin):
    first = admin.post(CUSTOMERS, {"code": "N1", "name": "Nouveau"}, key="k-1")
    again = admin.post(CUSTOMERS, {"name": "Nouveau", "code": "N1"}, key="k-1")  # keys reordered
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Customer.objects.filter(code="N1").count() == 1


def test_the_same_key_with_another_body_is_refused(admin):
    admin.post(CUSTOMERS, {"code": "N1", "name": "Nouveau"}, key="k-1")
    other = admin.post(CUSTOMERS, {"code": "N2", "name": "Autre"}, key="k-1")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_mismatch"
    assert not Customer.objects.filter(code="N2").exists()


def test_the_same_key_on_another_path_is_refused(admin):
    admin.post(CUSTOMERS, {"code": "N1", "name": "Nouveau"}, key="k-1")
    other = admin.post("/api/v1/companies/acme/customers/C001/holds", {"reason": "x"}, key="k-1")
    assert other.json()["code"] == "idempotency_mismatch"


def test_keys_belong_to_their_user(world, admin):
    manager = ApiClient(world.user(Role.MANAGER))
    admin.post(CUSTOMERS, {"code": "N1", "name": "Nouveau"}, key="k-1")
    answer = manager.post(CUSTOMERS, {"code": "N2", "name": "Autre"}, key="k-1")
    assert answer.status_code == 201 and Customer.objects.filter(code="N2").exists()


def test_a_refusal_is_replayed_too(admin):
    first = admin.post(CUSTOMERS, {"code": "C001", "name": "Doublon"}, key="k-1")
    assert first.status_code == 422
    assert admin.post(CUSTOMERS, {"code": "C001", "name": "Doublon"}, key="k-1").content == (
        first.content
    )


def test_an_expired_key_runs_the_request_again(admin):
    admin.post(CUSTOMERS, {"code": "N1", "name": "Nouveau"}, key="k-1")
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = admin.post(CUSTOMERS, {"code": "N1", "name": "Nouveau"}, key="k-1")
    assert again.status_code == 422  # run again: the code now exists
    assert "existe déjà" in again.json()["details"]["code"][0]


def test_a_malformed_key_is_refused(admin):
    answer = admin.post(CUSTOMERS, {"code": "N1", "name": "Nouveau"}, key="clé avec espaces")
    assert answer.status_code == 422 and "Idempotency-Key" in answer.json()["details"]
    assert not Customer.objects.filter(code="N1").exists()


def test_an_upload_retried_with_its_key_is_imported_once(admin):
    def upload():
        data = b"code;nom\nC9;Client neuf\n"
        return {"kind": "customers", "file": SimpleUploadedFile("clients.csv", data)}

    path = "/api/v1/companies/acme/imports"
    first = admin.post(path, files=upload(), key="import-1")
    again = admin.post(path, files=upload(), key="import-1")
    assert first.status_code == 201 and again.content == first.content
    assert ImportBatch.objects.filter(file_name="clients.csv").count() == 1


def test_a_server_error_leaves_nothing_written(admin, monkeypatch):
    from relance.ledger import services

    def create_then_fail(company, **fields):
        Customer.objects.create(company=company, code=fields["code"], name=fields["name"])
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "create_customer", create_then_fail)
    answer = admin.post(CUSTOMERS, {"code": "N1", "name": "Nouveau"}, key="k-1")
    assert answer.status_code == 500
    assert answer.json() == {
        "code": "server_error",
        "message": "Erreur interne : l'incident est journalisé.",
        "details": None,
    }
    assert not Customer.objects.filter(code="N1").exists()
    assert not IdempotencyKey.objects.exists()  # the retry may run


def test_the_stored_answer_is_the_json_sent(admin):
    admin.post(CUSTOMERS, {"code": "N1", "name": "Nouveau"}, key="k-1")
    stored = IdempotencyKey.objects.get()
    assert json.loads(stored.body)["code"] == "N1" and stored.status_code == 201
