"""Templates know the current membership and the user's companies (company switcher)."""

import pytest

from relance.team.models import Membership, Role
from relance.web.tests.factories import make_company, make_member

pytestmark = pytest.mark.django_db


def test_the_switcher_lists_every_company_of_the_user(client):
    acme, other = make_company("acme", "Acme SAS"), make_company("other", "Other SARL")
    user = make_member(acme, Role.MANAGER, "marie")
    Membership.objects.create(user=user, company=other, role=Role.READ_ONLY)
    client.force_login(user)
    response = client.get("/c/other/customers/")
    assert [company.code for company in response.context["my_companies"]] == ["acme", "other"]
    assert response.context["membership"].role == Role.READ_ONLY
    assert 'href="/c/acme/customers/"' in response.content.decode()


def test_anonymous_pages_get_no_membership(client):
    response = client.get("/login/")
    assert "my_companies" not in response.context
