"""Customer list, customer file and forms: portfolio rule, search, pagination, validation."""

from decimal import Decimal

import pytest

from relance.ledger.models import Contact, Customer
from relance.team.models import Role
from relance.web import queries

from .factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def test_a_collector_gets_404_on_another_collectors_customer(client, world):
    client.force_login(world.user(Role.COLLECTOR))
    url = f"/c/acme/customers/{world.foreign_customer.pk}/"
    assert client.get(url).status_code == 404
    assert client.get(url + "edit/").status_code == 404
    assert client.get(f"/c/acme/customers/{world.customer.pk}/").status_code == 200


def test_a_collector_lists_only_their_portfolio(client, world):
    client.force_login(world.user(Role.COLLECTOR))
    page = client.get("/c/acme/customers/").content.decode()
    assert "Dupont Bâtiment" in page and "Martin Négoce" not in page


def test_an_unknown_company_and_a_foreign_one_answer_alike(client, world):
    client.force_login(world.user(Role.ADMIN))
    assert client.get("/c/nope/customers/").status_code == 404
    assert client.get("/c/other/customers/").status_code == 404


def test_search_finds_by_code_name_and_siren(client, world):
    make_customer(world.company, "Z9", "Zèbre Transports", siren="732829320")
    client.force_login(world.user(Role.ADMIN))
    for text in ("Z9", "zèbre", "732 829 320"):
        page = client.get("/c/acme/customers/", {"q": text}).content.decode()
        assert "Zèbre Transports" in page and "Dupont" not in page, text


def test_overdue_filter_and_balance_sort(client, world):
    rich = make_customer(world.company, "R1", "Gros Débiteur")
    make_invoice(rich, "9000.00")
    client.force_login(world.user(Role.ADMIN))
    page = client.get("/c/acme/customers/", {"sort": "-balance", "overdue": "on"})
    names = [customer.name for customer in page.context["page"]]
    assert names == ["Gros Débiteur", "Dupont Bâtiment"]


def test_pagination_computes_balances_for_the_page_only(
    client, world, django_assert_max_num_queries
):
    for number in range(queries.PAGE_SIZE + 5):
        make_customer(world.company, f"P{number:03d}", f"Page {number:03d}")
    client.force_login(world.user(Role.ADMIN))
    with django_assert_max_num_queries(12):
        response = client.get("/c/acme/customers/", {"page": 2, "sort": "code"})
    page = response.context["page"]
    assert page.number == 2 and len(page.object_list) == 7
    first = client.get("/c/acme/customers/", {"sort": "code"}).context["page"].object_list[0]
    assert first.code == "C001" and first.balance == Decimal("1100.00")


def test_amounts_are_written_the_french_way(client, world):
    client.force_login(world.user(Role.ADMIN))
    page = client.get(f"/c/acme/customers/{world.customer.pk}/").content.decode()
    assert "1\u00a0200,00\u00a0€" in page


def test_a_bad_siren_is_refused(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.post(
        "/c/acme/customers/new/",
        {
            "code": "X1",
            "name": "X",
            "siren": "123456789",
            "payer_profile": "good",
            "language": "fr",
            "country": "FR",
        },
    )
    assert response.status_code == 200
    assert "siren" in response.context["form"].errors
    assert not Customer.objects.filter(code="X1").exists()


def test_a_duplicate_customer_code_is_refused(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.post(
        "/c/acme/customers/new/",
        {
            "code": "C001",
            "name": "Doublon",
            "payer_profile": "good",
            "language": "fr",
            "country": "FR",
        },
    )
    assert "code" in response.context["form"].errors


def test_phones_are_stored_in_e164(client, world):
    client.force_login(world.user(Role.ADMIN))
    client.post(
        f"/c/acme/customers/{world.customer.pk}/contacts/new/",
        {
            "role": "billing",
            "name": "Paul",
            "phone": "01 23 45 67 89",
            "mobile": "06 12 34 56 78",
            "preferred_channel": "sms",
            "country": "FR",
        },
    )
    contact = Contact.objects.get(name="Paul")
    assert (contact.phone, contact.mobile) == ("+33123456789", "+33612345678")


def test_a_bad_phone_is_refused(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.post(
        f"/c/acme/customers/{world.customer.pk}/contacts/new/",
        {
            "role": "billing",
            "name": "Paul",
            "phone": "12",
            "preferred_channel": "email",
            "country": "FR",
        },
    )
    assert "phone" in response.context["form"].errors


def test_the_home_page_opens_the_first_company(client, world):
    client.force_login(world.user(Role.ADMIN))
    assert client.get("/")["Location"] == "/c/acme/customers/"


def test_the_home_page_says_when_the_user_has_no_company(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_user("lonely"))
    assert "Aucune société" in client.get("/").content.decode()
