"""The cash-in calendar in headless Chromium, under the Content-Security-Policy: the chart is
drawn from the page's JSON by the static script, the table stays under it."""

from datetime import date, timedelta

import pytest

from relance.forecast.models import ForecastModel, Prediction
from relance.team.models import Role
from relance.web.tests.factories import World, make_invoice
from tests.security.browser import PageWatch, charts_with_ink, log_in


@pytest.mark.browser
def test_the_cash_in_calendar_draws_its_chart(page, artifacts_dir, live_server, transactional_db):
    world = World()  # F-0001: 1,200 due 10 days ago, 100 unallocated, 500 promised in 7 days
    today = date.today()
    item = make_invoice(world.customer, "3450.50", number="F-0002",
                        due_on=today + timedelta(days=20))  # fmt: skip
    model = ForecastModel.objects.create(
        company=world.company,
        version=1,
        trained_on=today,
        method="gradient_boosting",
        n_train=300,
        n_rows=500,
    )
    Prediction.objects.create(
        company=world.company,
        model=model,
        invoice=item,
        predicted_on=today,
        expected_on=today + timedelta(days=30),
        method="gradient_boosting",
        low_on=today + timedelta(days=22),
        high_on=today + timedelta(days=45),
    )
    watch = PageWatch(page)
    log_in(page, live_server, world.user(Role.MANAGER))
    problems = watch.visit(live_server.url + f"/c/{world.company.code}/forecast/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-cash-in')")
    drawn = page.evaluate(
        """() => { const chart = Chart.getChart('chart-cash-in');
                   return [chart.data.datasets.length, chart.data.labels.length,
                           chart.data.datasets.map(d => d.data.reduce((a, b) => a + b, 0))]; }"""
    )
    datasets, labels, sums = drawn
    assert (datasets, labels) == (6, 14)  # the late line and 13 weeks
    assert sums[0] == pytest.approx(600 + 500 + 3450.5)  # expected, every period
    assert sums[1] == pytest.approx(1100 + 3450.5)  # on the due dates
    assert charts_with_ink(page, ["chart-cash-in"]) == ["chart-cash-in"]
    assert page.locator("table.cash-in tbody tr").count() == 16  # late, 13 weeks, later, undated
    assert problems == []
    page.screenshot(path=str(artifacts_dir / "forecast-cash-in.png"), full_page=True)
