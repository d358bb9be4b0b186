"""The dashboard page: figures per role and portfolio, as of a date, currencies, Excel export."""

import time
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import transaction
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
    assert book.sheetnames == [
        "Synthèse", "Balance âgée", "Principaux débiteurs", "Évolution", "Recouvré par étape",
        "Coût du recouvrement",
    ]  # fmt: skip
    summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True) if row}
    assert summary["Encours"] == 6100.0
    assert summary["Taux d'impayés (%)"] is None  # nothing due more than 90 days ago
    debtors = list(book["Principaux débiteurs"].iter_rows(values_only=True))
    assert debtors[1][:3] == ("C002", "Martin Négoce", 5000.0)
    evolution = [r for r in book["Évolution"].iter_rows(values_only=True) if r and r[0]]
    assert len(evolution) == 13 and len(evolution[0]) == 17  # the date and every figure
    assert evolution[0][:3] == ("Date", "Encours (EUR)", "Échu (EUR)")
    assert evolution[-1][1] == 6100.0


def test_the_navigation_links_to_the_dashboard(client, world):
    html = page(client, world, Role.COLLECTOR, "").content.decode()
    assert 'href="/c/acme/dashboard/" aria-current="page"' in html


def test_the_charts_read_the_figures_embedded_as_json(client, world):
    response = page(client, world, Role.MANAGER)
    charts = response.context["chart_data"]
    assert len(charts["months"]) == 12 and len(charts["aging"]) == 6
    series = {s["label"]: s["data"] for chart in charts["charts"] for s in chart["series"]}
    assert len(series) == 15  # every KPI of the page has its 12 months
    assert all(len(data) == 12 for data in series.values())
    assert series["Encours"][-1] == 6100.0 and series["Part échue"][-1] == 100.0
    html = response.content.decode()
    assert '<script id="dashboard-charts" type="application/json">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_the_collection_kpis_have_their_cards_tables_and_tooltips(client, world):
    html = page(client, world, Role.MANAGER).content.decode()
    assert "Taux d&#x27;impayés" in html and "Coût du recouvrement par facture (mois)" in html
    assert 'title="Part du montant des factures échues depuis 91 à 455 jours' in html
    assert 'id="recovered-by-step"' in html and 'id="collection-cost"' in html
    assert "En échéancier" in html
    assert "Aucune relance envoyée dans le mois." in html  # the world's reminder is not sent


# --- Filters: collector, sales rep, payer profile (within what the member sees) ------------


def test_a_manager_narrows_the_figures_by_collector_profile_and_sales_rep(client, world):
    collector = world.user(Role.COLLECTOR)
    board = page(client, world, Role.MANAGER, f"?collector={collector.pk}").context["board"]
    assert board.kpis.aging.outstanding == Decimal("1100.00")
    assert [d.customer.code for d in board.debtors] == ["C001"]
    world.foreign_customer.payer_profile = "bad"
    world.foreign_customer.save()
    board = page(client, world, Role.MANAGER, "?payer_profile=bad").context["board"]
    assert board.kpis.aging.outstanding == Decimal("5000.00")
    sales = world.user(Role.SALES)
    board = page(client, world, Role.MANAGER, f"?sales_rep={sales.pk}").context["board"]
    assert board.kpis.aging.outstanding == Decimal(0)


def test_a_collector_cannot_widen_the_portfolio_with_a_filter(client, world):
    other = world.other_collector.pk
    response = page(client, world, Role.COLLECTOR, f"?collector={other}")
    assert "collector" not in response.context["form"].fields  # no filter on oneself
    assert response.context["board"].kpis.aging.outstanding == Decimal("1100.00")
    collector = world.user(Role.COLLECTOR).pk
    response = page(client, world, Role.SALES, f"?collector={collector}")
    assert response.context["board"].kpis.aging.outstanding == Decimal(0)  # nothing of C001


def test_a_bad_filter_says_why_and_is_not_applied(client, world):
    response = page(client, world, Role.MANAGER, "?payer_profile=inconnu")
    assert response.context["form"].errors["payer_profile"]
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert response.context["board"].kpis.aging.outstanding == Decimal("6100.00")


def test_the_excel_export_keeps_the_filters(client, world):
    collector = world.user(Role.COLLECTOR)
    response = page(client, world, Role.MANAGER, f"?collector={collector.pk}&format=xlsx")
    book = load_workbook(BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True) if row}
    assert summary["Encours"] == 1100.0
    html = page(client, world, Role.MANAGER, f"?collector={collector.pk}").content.decode()
    assert f"?collector={collector.pk}&amp;format=xlsx" in html


def test_a_member_of_several_companies_switches_dashboards(client, world):
    from relance.team.models import Membership

    Membership.objects.create(user=world.user(Role.MANAGER), company=world.other_company,
                              role=Role.MANAGER)  # fmt: skip
    html = page(client, world, Role.MANAGER).content.decode()
    assert 'href="/c/other/dashboard/"' in html and "Other SARL" in html


# --- Cache: figures kept until the ledger changes -------------------------------------------


@pytest.fixture
def computed(monkeypatch):
    """Counts the computations of the heavy figures (the rest is a cache hit)."""
    from relance.reports import services

    calls = []
    real = services.figures

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "figures", counting)
    return calls


def test_figures_are_computed_once_then_read_from_the_cache(client, world, computed):
    first = page(client, world, Role.MANAGER).context["board"]
    second = page(client, world, Role.MANAGER).context["board"]
    assert len(computed) == 1 and second.kpis == first.kpis
    page(client, world, Role.COLLECTOR)  # another scope: computed on its own
    page(client, world, Role.MANAGER, "?currency=USD")
    assert len(computed) == 3


def test_a_payment_changes_the_figures_at_once(
    client, world, computed, django_capture_on_commit_callbacks
):
    assert page(client, world, Role.MANAGER).context["board"].kpis.aging.outstanding == Decimal(
        "6100.00"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ledger.receive_payment(
            world.company, world.foreign_customer, [world.foreign_customer.invoices.get()],
            amount=Decimal("2000.00"), received_on=date.today(), currency="EUR",
        )  # fmt: skip
    board = page(client, world, Role.MANAGER).context["board"]
    assert board.kpis.aging.outstanding == Decimal("4100.00") and len(computed) == 2


def test_an_import_changes_the_figures_at_once(
    client, world, computed, tmp_path, django_capture_on_commit_callbacks
):
    from relance.imports.services import import_file

    page(client, world, Role.MANAGER)
    csv = tmp_path / "factures.csv"
    day = date.today().isoformat()
    csv.write_text(
        "customer_code;customer_name;number;issued_on;due_on;amount;currency\n"
        f"C003;Nouveau Client;F-IMP-1;{day};{day};900,00;EUR\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = import_file(world.company, "invoices", csv)
    assert not report.rejected
    board = page(client, world, Role.MANAGER).context["board"]
    assert board.kpis.aging.outstanding == Decimal("7000.00") and len(computed) == 2


def test_one_transaction_raises_the_version_once(world, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from relance.reports.cache import version_of

    before = version_of(world.company)
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        for number in range(5):
            make_invoice(world.customer, "10.00", number=f"F-BATCH-{number}")
    updates = [q for q in queries.captured_queries if "reports_ledgerversion" in q["sql"]]
    assert len(updates) == 1 and updates[0]["sql"].startswith("UPDATE")
    assert version_of(world.company) == before + 1


def test_the_dashboard_in_english(client, world):
    client.force_login(world.user(Role.MANAGER))
    client.post("/i18n/setlang/", {"language": "en", "next": "/c/acme/dashboard/"})
    html = client.get("/c/acme/dashboard/").content.decode()
    assert "Unpaid rate" in html and "Cost of collection per invoice (month)" in html
    assert "Recovered after each step (month)" in html and "Weekly report by e-mail" in html
    assert "Taux d&#x27;impayés" not in html


# --- Unit costs of collection, in the company settings ---------------------------------------


def company_settings(**costs):
    return {
        "name": "Acme SAS", "country": "FR", "currency": "EUR", "time_zone": "Europe/Paris",
        "default_payment_days": "30", "consumer_hours": "10:00-13:00, 14:00-20:00", **costs,
    }  # fmt: skip


def test_an_administrator_sets_the_unit_costs(client, world):
    client.force_login(world.user(Role.ADMIN))
    html = client.get("/c/acme/settings/").content.decode()
    assert "Coût d&#x27;un courrier" in html and "Durée moyenne d&#x27;un appel" in html
    response = client.post(
        "/c/acme/settings/",
        company_settings(letter_unit_cost="2,10", phone_minute_cost="0.80", call_minutes="3.5"),
    )
    assert response.status_code == 302
    world.company.refresh_from_db()
    assert (world.company.letter_unit_cost, world.company.call_minutes) == (
        Decimal("2.10"), Decimal("3.5"),
    )  # fmt: skip
    assert world.company.email_unit_cost == Decimal(0)  # left empty: nothing


def test_a_negative_unit_cost_is_refused_with_the_reason(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.post("/c/acme/settings/", company_settings(sms_unit_cost="-1"))
    assert response.status_code == 200
    assert response.context["form"].errors["sms_unit_cost"] == [
        "Assurez-vous que cette valeur est supérieure ou égale à 0."
    ]


@pytest.mark.django_db(transaction=True)  # the new figures are computed by another thread
def test_while_new_figures_are_computed_the_page_shows_the_latest_and_reloads(
    client, world, monkeypatch
):
    import threading

    from django.db.models import F

    from relance.reports import cache, services
    from relance.reports.models import LedgerVersion

    first = page(client, world, Role.MANAGER)
    assert first.context["board"].is_current and b"Chiffres calcul" not in first.content
    gate, real = threading.Event(), services.figures

    def slow(*args, **kwargs):
        assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "figures", slow)
    LedgerVersion.objects.filter(company=world.company).update(version=F("version") + 1)
    stale = page(client, world, Role.MANAGER)
    board = stale.context["board"]
    assert not board.is_current and board.kpis == first.context["board"].kpis
    text = stale.content.decode()
    assert "Chiffres calculés à" in text and "en cours de calcul" in text
    assert '<meta http-equiv="refresh" content="5">' in text
    gate.set()
    deadline = time.monotonic() + 10
    while cache._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)
    fresh = page(client, world, Role.MANAGER)
    assert fresh.context["board"].is_current and b"http-equiv" not in fresh.content
