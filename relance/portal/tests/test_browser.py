"""End to end in headless Chromium: the daily run writes a reminder, the sender renders it with
its link, the debtor opens the link on a phone and promises a date; the next run leaves the
customer alone ("promised"), and the collector finds the promise on the agenda."""

from datetime import date, timedelta

import pytest

from relance.dunning import services as dunning
from relance.dunning.models import Reminder, Scenario, Step
from relance.dunning.sending import send_pending
from relance.ledger.models import Invoice
from relance.team.models import Role
from relance.web.tests.factories import World

from .conftest import bank_details, prepare_debtor

CALENDAR = dunning.CALENDARS[False]


def default_scenario(company) -> None:
    """E-mails one day after the due date, then a week after, with the default texts (which
    carry the self-service link)."""
    scenario = Scenario.objects.create(company=company, name="Courriels", is_default=True)
    for level, offset in ((1, 1), (2, 8)):
        Step.objects.create(scenario=scenario, level=level, name=f"Relance {level}",
                            offset_days=offset, channel="email")  # fmt: skip


def shot(page, artifacts_dir, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"portal-{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_reminders_link_a_promise_the_run_pauses_the_agenda_shows_it(
    page, artifacts_dir, live_server, transactional_db, settings, tmp_path
):
    settings.RELANCE_PUBLIC_URL = live_server.url
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    world = World()
    bank_details(world.company)
    debtor = prepare_debtor(world)
    Invoice.objects.filter(customer=debtor.customer).update(
        due_on=date.today() - timedelta(days=30)
    )
    default_scenario(world.company)
    first_day = CALENDAR.next_business_day(date.today() + timedelta(days=1))  # today's is done
    assert dunning.run_dunning(world.company, first_day).reminders
    assert send_pending("browser-test").sent >= 1
    reminder = Reminder.objects.get(customer=debtor.customer, run__run_on=first_day, status="sent")
    link = next(w for w in reminder.body_text.split() if w.startswith(f"{live_server.url}/p/"))

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(link)
    assert page.locator("h1").inner_text() == "Votre espace client"
    assert "Dupont Bâtiment" in page.locator("header").inner_text()
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways on a phone: {width}"
    assert page.locator(".transfer img").get_attribute("alt").startswith("QR code de virement")
    shot(page, artifacts_dir, "page-phone")

    promised_on = date.today() + timedelta(days=10)
    page.click("#promise summary")
    page.fill("#id_promise-promised_on", promised_on.isoformat())
    page.fill("#id_promise-amount", "1650.50")
    page.click("#promise button[type=submit]")
    page.wait_for_selector("text=votre promesse de règlement est enregistrée")
    shot(page, artifacts_dir, "promise-recorded")

    next_day = CALENDAR.next_business_day(first_day + timedelta(days=1))
    result = dunning.run_dunning(world.company, next_day).as_json()
    mine = [r for r in result["reminders"] if r["customer"] == "C001"]
    excluded = {e["reason"] for e in result["excluded"] if e["customer"] == "C001"}
    assert not mine and excluded == {"promised"}

    collector = world.user(Role.COLLECTOR)
    collector.set_password("secret-pass-1")
    collector.save()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", collector.username)
    page.fill("input[name=password]", "secret-pass-1")
    page.click(".login-form button[type=submit]")
    page.wait_for_url("**/c/acme/agenda/")
    page.click("a[data-kind=self_service]")
    row = page.locator("tr[data-kind=self_service]")
    assert row.count() == 1
    assert "Promesse de règlement" in row.inner_text() and "Dupont Bâtiment" in row.inner_text()
    shot(page, artifacts_dir, "agenda")
    row.locator("a", has_text="Ouvrir").click()
    page.wait_for_url("**/c/acme/portal/actions/*/")
    assert "Promesse de 1\u00a0650,50\u00a0€" in page.locator("dl.identity").inner_text()
