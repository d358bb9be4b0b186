"""The main pages in headless Chromium: log in, customer list, customer file, English."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from relance.team.models import Role

from .factories import World, make_invoice

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright runs an event loop
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    yield page
    browser.close()
    playwright.stop()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_collector_logs_in_opens_a_customer_and_switches_to_english(
        browser_page, live_server, transactional_db):
    world = World()
    make_invoice(world.customer, "3450.50", number="F-0002")
    collector = world.user(Role.COLLECTOR)
    collector.set_password("secret-pass-1")
    collector.save()
    page = browser_page
    page.goto(live_server.url + "/login/")
    shot(page, "login")
    page.fill("input[name=username]", collector.username)
    page.fill("input[name=password]", "secret-pass-1")
    page.click(".login-form button[type=submit]")
    page.wait_for_url("**/c/acme/customers/")
    assert page.locator("h1").inner_text() == "Clients"
    assert "Martin Négoce" not in page.content()  # another collector's customer
    shot(page, "customer-list")
    page.click("text=Dupont Bâtiment")
    page.wait_for_url("**/c/acme/customers/*/")
    assert "4\u00a0550,50\u00a0€" in page.locator(".kpis").inner_text()
    shot(page, "customer-file")
    page.click("button[value=en]")
    page.wait_for_selector("text=Open items")
    assert "Open amount" in page.content()
    shot(page, "customer-file-en")
