"""The dashboard in headless Chromium: the aging and the 12 months of every KPI are drawn
from the page's JSON, and the tables stay under them."""

import pytest

from relance.team.models import Role

from .factories import World, make_invoice


@pytest.mark.browser
def test_the_dashboard_draws_its_charts(page, artifacts_dir, live_server, transactional_db):
    world = World()
    make_invoice(world.customer, "3450.50", number="F-0002")
    manager = world.user(Role.MANAGER)
    manager.set_password("secret-pass-1")
    manager.save()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", manager.username)
    page.fill("input[name=password]", "secret-pass-1")
    page.click(".login-form button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server.url + f"/c/{world.company.code}/dashboard/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-aging')")
    drawn = page.evaluate(
        """() => ['chart-amounts', 'chart-dso', 'chart-delays', 'chart-rates', 'chart-recovered',
                  'chart-cost', 'chart-aging'].map(id => {
            const chart = Chart.getChart(id);
            return chart ? [chart.data.datasets.length, chart.data.labels.length] : null;
        })"""
    )
    assert drawn == [[3, 12], [4, 12], [2, 12], [3, 12], [2, 12], [1, 12], [1, 6]]
    amounts = page.evaluate("() => Chart.getChart('chart-amounts').data.datasets[0].data")
    assert amounts[-1] == 4550.5  # 1,200 + 3,450.50 - 100 unallocated: drawn from the data
    assert page.locator("table#evolution tbody tr").count() == 12
    page.screenshot(path=str(artifacts_dir / "web-dashboard.png"), full_page=True)
