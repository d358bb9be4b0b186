"""The dashboard page: figures per role and portfolio, as of a date, currencies, Excel export."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from relance.ledger import services as ledger
from relance.team.models import Role

from .factories import World, make_customer, make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = World()  # C001 (collector's): F-0001 1,200 due 10 days ago, 100 unallocated
    make_invoice(world.foreign_customer, "5000.00", number="F-FOREIGN")
    usd = make_customer(world.company, "U001", "Smith Ltd")
    ledger.record_invoice(
        world.company, usd, number="F-USD", issued_on=date.today(), due_on=date.today(),
        amount=Decimal("700.00"), currency="USD",
    )  # fmt: skip
    return world


def page(client, world, role, query=""):
    client.force_login(world.user(role))
    return client.get(f"/c/{world.company.code}/dashboard/{query}")


def test_managers_see_the_whole_company(client, world):
    response = page(client, world, Role.MANAGER)
    board = response.context["board"]
    # 1,200 - 100 unallocated + 5,000; the USD invoice is not added in.
    assert board.kpis.aging.outstanding == Decimal("6100.00")
    assert [d.customer.code for d in board.debtors] == ["C002", "C001"]
    assert board.currencies == ["EUR", "USD"]
    html = response.content.decode()
    assert "Tableau de bord" in html and "Balance âgée" in html
    assert 'title="Encours / chiffre d&#x27;affaires TTC des 90 derniers jours × 90."' in html
    assert "bank-freshness" in html  # the freshness of bank data, as on the customer list
    assert 'name="currency"' in html  # several currencies: a choice


def test_collectors_see_their_portfolio_only(client, world):
    board = page(client, world, Role.COLLECTOR).context["board"]
    assert board.kpis.aging.outstanding == Decimal("1100.00")
    assert [d.customer.code for d in board.debtors] == ["C001"]
    assert page(client, world, Role.SALES).context["board"].debtors == []


def test_as_of_a_past_date_and_another_currency(client, world):
    before = (date.today() - timedelta(days=60)).isoformat()
    board = page(client, world, Role.MANAGER, f"?as_of={before}").context["board"]
    assert board.kpis.aging.outstanding == Decimal(0)  # nothing issued yet
    board = page(client, world, Role.MANAGER, "?currency=USD").context["board"]
    assert (board.currency, board.kpis.aging.outstanding) == ("USD", Decimal("700.00"))


def test_a_bad_date_falls_back_to_today(client, world):
    response = page(client, world, Role.MANAGER, "?as_of=demain&currency=XYZ")
    assert response.status_code == 200
    assert response.context["board"].kpis.as_of == date.today()
    assert response.context["board"].currency == "EUR"


def test_every_table_exports_to_excel(client, world):
    response = page(client, world, Role.MANAGER, "?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="tableau-de-bord-acme-' in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Synthèse", "Balance âgée", "Principaux débiteurs", "Évolution"]
    summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True) if row}
    assert summary["Encours"] == 6100.0
    debtors = list(book["Principaux débiteurs"].iter_rows(values_only=True))
    assert debtors[1][:3] == ("C002", "Martin Négoce", 5000.0)
    assert len([r for r in book["Évolution"].iter_rows(values_only=True) if r and r[0]]) == 13


def test_the_navigation_links_to_the_dashboard(client, world):
    html = page(client, world, Role.COLLECTOR, "").content.decode()
    assert 'href="/c/acme/dashboard/" aria-current="page"' in html


def test_the_charts_read_the_figures_embedded_as_json(client, world):
    response = page(client, world, Role.MANAGER)
    charts = response.context["chart_data"]
    assert len(charts["months"]) == len(charts["outstanding"]) == len(charts["dso"]) == 12
    assert charts["outstanding"][-1] == 6100.0 and len(charts["aging"]) == 6
    html = response.content.decode()
    assert '<script id="dashboard-charts" type="application/json">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
