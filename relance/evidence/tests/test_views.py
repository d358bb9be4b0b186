import io
import zipfile

import pytest

from relance.evidence.models import EvidenceExport
from relance.team.models import Role

pytestmark = pytest.mark.django_db


def url(world, customer=None) -> str:
    customer = customer or world.customer
    return f"/c/{world.company.code}/customers/{customer.pk}/evidence/"


def test_collector_downloads_the_zip_and_the_export_is_logged(client, world):
    client.force_login(world.user(Role.COLLECTOR))
    response = client.get(url(world))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'attachment; filename="preuves-acme-C001-' in response["Content-Disposition"]
    assert "synthese.pdf" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert EvidenceExport.objects.get().user == world.user(Role.COLLECTOR)


def test_collector_cannot_export_a_customer_outside_the_portfolio(client, world):
    client.force_login(world.user(Role.COLLECTOR))
    assert client.get(url(world, world.foreign_customer)).status_code == 404
    assert not EvidenceExport.objects.exists()


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.SALES, Role.ACCOUNTANT])
def test_roles_that_do_not_dun_get_403(client, world, role):
    client.force_login(world.user(role))
    assert client.get(url(world)).status_code == 403


def test_customer_file_shows_the_button_only_to_those_who_may_export(client, world):
    page = f"/c/{world.company.code}/customers/{world.customer.pk}/"
    client.force_login(world.user(Role.MANAGER))
    assert url(world) in client.get(page).content.decode()
    client.force_login(world.user(Role.READ_ONLY))
    assert url(world) not in client.get(page).content.decode()
