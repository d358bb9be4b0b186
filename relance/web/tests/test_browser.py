"""The main pages in headless Chromium: log in, customer list, customer file, English."""

import pytest

from relance.team.models import Role

from .factories import World, make_invoice


def shot(page, artifacts_dir, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"web-{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_collector_logs_in_opens_a_customer_and_switches_to_english(
    page, artifacts_dir, live_server, transactional_db
):
    world = World()
    make_invoice(world.customer, "3450.50", number="F-0002")
    collector = world.user(Role.COLLECTOR)
    collector.set_password("secret-pass-1")
    collector.save()
    page.goto(live_server.url + "/login/")
    shot(page, artifacts_dir, "login")
    page.fill("input[name=username]", collector.username)
    page.fill("input[name=password]", "secret-pass-1")
    page.click(".login-form button[type=submit]")
    page.wait_for_url("**/c/acme/agenda/")  # a collector's home page
    page.click(".side-nav a:text-is('Clients')")
    page.wait_for_url("**/c/acme/customers/")
    assert page.locator("h1").inner_text() == "Clients"
    assert "Martin Négoce" not in page.content()  # another collector's customer
    shot(page, artifacts_dir, "customer-list")
    page.click("text=Dupont Bâtiment")
    page.wait_for_url("**/c/acme/customers/*/")
    assert "4\u00a0550,50\u00a0€" in page.locator(".kpis").inner_text()
    shot(page, artifacts_dir, "customer-file")
    page.click("button[value=en]")
    page.wait_for_selector("text=Open items")
    assert "Open amount" in page.content()
    shot(page, artifacts_dir, "customer-file-en")
