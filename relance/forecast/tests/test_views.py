"""The cash-in calendar page: what is expected when, per role and portfolio, by period, in
another currency, with the latest predictions, promises and plans; the Excel export."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from relance.core.forecast_calendar import RowKind, Source
from relance.forecast.models import ForecastModel, Prediction
from relance.ledger import services as ledger
from relance.team.models import Role
from relance.web.tests.factories import make_customer, make_invoice, plan_records

pytestmark = pytest.mark.django_db
TODAY = date.today()


def page(client, world, role, query=""):
    client.force_login(world.user(role))
    return client.get(f"/c/{world.company.code}/forecast/{query}")


def by_source(response) -> dict:
    return {source.value: amount for source, amount in response.context["cash"].totals.items()}


def test_without_predictions_items_are_expected_on_their_due_dates_after_promises(client, world):
    # C001: F-0001 1,200 due 10 days ago, 100 unallocated, a 500 promise in 7 days (no items).
    response = page(client, world, Role.MANAGER)
    assert by_source(response) == {"promise": Decimal("500.00"), "due_date": Decimal("600.00")}
    rows = response.context["cash"].rows
    assert rows[0].kind is RowKind.LATE
    assert (rows[0].expected, rows[0].naive) == (Decimal("600.00"), Decimal("1100.00"))
    assert rows[-2].cumulative == Decimal("1100.00")  # everything dated, by the last line
    html = response.content.decode()
    assert "Prévision des encaissements" in html and "Date dépassée" in html
    assert "Aucune prévision encore" in html
    assert 'id="cash-in-chart"' in html and "forecast/cash-in-chart.js" in html
    assert '<option value="week" selected>' in html  # by week unless asked otherwise


def test_predicted_dates_and_their_range_replace_the_due_date(client, world):
    item = make_invoice(world.foreign_customer, "800.00", due_on=TODAY + timedelta(days=20))
    model = ForecastModel.objects.create(
        company=world.company, version=3, trained_on=TODAY, method="gradient_boosting",
        n_train=250, n_rows=400,
    )  # fmt: skip
    Prediction.objects.create(
        company=world.company, model=model, invoice=item, predicted_on=TODAY, method="x",
        expected_on=TODAY + timedelta(days=40), low_on=TODAY + timedelta(days=25),
        high_on=TODAY + timedelta(days=70),
    )  # fmt: skip
    response = page(client, world, Role.MANAGER, "?period=month")
    assert by_source(response)["prediction"] == Decimal("800.00")
    rows = [r for r in response.context["cash"].rows if r.kind is RowKind.PERIOD]
    month_of = {r.start.month: r for r in rows}
    expected_month = (TODAY + timedelta(days=40)).month
    assert month_of[expected_month].expected == Decimal("800.00")
    assert sum(r.naive for r in rows) == Decimal("800.00")  # the due date, in its month
    assert "modèle v3" in response.content.decode()


def test_collectors_and_sales_see_their_portfolio_only(client, world):
    make_invoice(world.foreign_customer, "5000.00", number="F-FOREIGN")
    manager = by_source(page(client, world, Role.MANAGER))
    assert manager["due_date"] == Decimal("5600.00")
    assert by_source(page(client, world, Role.COLLECTOR))["due_date"] == Decimal("600.00")
    assert by_source(page(client, world, Role.SALES)) == {}
    html = page(client, world, Role.COLLECTOR).content.decode()
    assert "vos clients uniquement" in html


def test_a_payment_plan_replaces_the_due_dates_of_its_invoices(client, world):
    plan_records(world)  # two monthly instalments over F-0001 from today
    totals = by_source(page(client, world, Role.MANAGER))
    assert "due_date" not in totals and totals["plan"] > 0
    assert totals["plan"] + totals.get("promise", 0) == Decimal("1100.00")


def test_days_weeks_months_and_another_currency(client, world):
    usd = make_customer(world.company, "U001", "Smith Ltd")
    ledger.record_invoice(
        world.company, usd, number="F-USD", issued_on=TODAY, due_on=TODAY + timedelta(days=3),
        amount=Decimal("700.00"), currency="USD",
    )  # fmt: skip
    days = page(client, world, Role.MANAGER, "?period=day&currency=USD").context["cash"]
    periods = [r for r in days.rows if r.kind is RowKind.PERIOD]
    assert len(periods) == 31 and periods[0].start == TODAY
    assert periods[3].naive == Decimal("700.00") and days.currency == "USD"
    weeks = page(client, world, Role.MANAGER, "?period=week").context["cash"]
    assert sum(r.kind is RowKind.PERIOD for r in weeks.rows) == 13
    bad = page(client, world, Role.MANAGER, "?period=year")  # an unknown period: weeks
    assert bad.context["cash"].period == "week"


def test_the_excel_export_has_the_calendar_and_the_detail(client, world):
    response = page(client, world, Role.MANAGER, "?format=xlsx")
    assert response["Content-Disposition"].startswith('attachment; filename="encaissements-acme')
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Calendrier", "Détail"]
    detail = list(book["Détail"].values)
    assert detail[0][:3] == ("Code client", "Client", "Pièce")
    sources = {row[8] for row in detail[1:] if row and row[0]}
    assert sources == {"Promesse de règlement", "Échéance (pas encore de prévision)"}
    assert any(row and row[0] == "Date dépassée" for row in book["Calendrier"].values)


def test_the_page_in_english(client, world):
    client.force_login(world.user(Role.MANAGER))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/c/{world.company.code}/forecast/").content.decode()
    assert "Cash-in forecast" in html and "Overdue already" in html
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})


def test_sources_are_labelled_in_the_totals(client, world):
    response = page(client, world, Role.MANAGER)
    labels = [str(label) for label, _ in response.context["sources"]]
    assert labels == ["Promesse de règlement", "Échéance (pas encore de prévision)"]
    assert Source.PROMISE in response.context["cash"].totals
