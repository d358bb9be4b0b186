"""A credit manager's day, end to end in headless Chromium: log in, import the company's FEC
(a real one, from ../shared/data), let the daily run plan the reminders, approve one and see it
sent in the outbox, call a customer who promises to pay, read the dashboard's charts, switch to
English. Every page is checked against the Content-Security-Policy on the way, and each step
leaves a screenshot in test-artifacts/journey-*.png.

The daily run and the sending are the worker's (`relance worker` runs `relance run` each
morning and sends continuously); the test calls those two commands where the worker would.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from relance.dunning.models import Promise, Reminder, Scenario, Step
from relance.dunning.services import CALENDARS, seed_default_scenarios
from relance.ledger.models import Customer
from relance.ledger.services import save_contact
from relance.team.models import Role
from relance.web.tests.factories import make_company, make_member
from tests.security.browser import PageWatch, charts_with_ink

FEC = "fec/neolegal-fr__fec-reader/0000000001FEC20220831.txt"
PASSWORD = "Journee-de-relance-1"
CHARTS = ["chart-aging", "chart-amounts", "chart-dso", "chart-delays", "chart-rates"]


class Journey:
    """The browser, its checks and its screenshots, step by step."""

    def __init__(self, page, live_server, artifacts_dir):
        self.page, self.base, self.artifacts = page, live_server.url, artifacts_dir
        self.watch = PageWatch(page)
        self.step = 0

    def shot(self, name: str) -> None:
        """A screenshot, and no CSP violation, console error or failed request so far."""
        self.step += 1
        self.page.wait_for_load_state("networkidle")
        path = self.artifacts / f"journey-{self.step:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        problems = self.watch.problems + self.watch.violations()
        self.watch.problems = []
        assert not problems, f"{name}: {problems}"

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).inner_text()


def business_day(today: date) -> date:
    """Today, or the last business day before it: the day the worker's run happened."""
    calendar = CALENDARS[False]
    while not calendar.is_business_day(today):
        today -= timedelta(days=1)
    return today


def prepare_company(settings):
    """The company as its administrator set it up: scenarios seeded, the good payers' e-mails
    checked by a person before they go, and its big accounts called first."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # typed, fast
    company = make_company("acme", "Primeurs du Midi")
    manager = make_member(company, Role.MANAGER, "claire")
    manager.first_name, manager.last_name = "Claire", "Fabre"
    manager.set_password(PASSWORD)
    manager.save()
    seed_default_scenarios(company)
    Step.objects.filter(
        scenario__company=company, scenario__payer_profile="good", channel="email"
    ).update(needs_approval=True)
    call_first = Scenario.objects.create(company=company, name="Grands comptes : appel d'abord")
    Step.objects.create(scenario=call_first, level=1, name="Appel du responsable",
                        offset_days=0, channel="call")  # fmt: skip
    return company, manager, call_first


def contacts_after_import(company, call_first) -> None:
    """What the accountant adds once the ledger is in: a billing address for one customer,
    and the big account's scenario and phone number."""
    laurent = Customer.objects.get(company=company, code="CLAURE")
    save_contact(laurent.contacts.model(customer=laurent), name="Service comptable",
                 email="compta@laurent-primeurs.fr")  # fmt: skip
    prosol = Customer.objects.get(company=company, code="CPRO00")
    Customer.objects.filter(pk=prosol.pk).update(scenario=call_first)
    save_contact(prosol.contacts.model(customer=prosol), name="Henri Prosol",
                 phone="04 90 12 34 56")  # fmt: skip


@pytest.mark.browser
def test_a_credit_managers_day(
    page, live_server, artifacts_dir, shared_data, transactional_db, settings
):
    company, manager, call_first = prepare_company(settings)
    journey = Journey(page, live_server, artifacts_dir)

    # Log in
    journey.go("/login/")
    page.fill("input[name=username]", "claire")
    page.fill("input[name=password]", PASSWORD)
    journey.shot("login")
    page.click(".login-form button[type=submit]")
    page.wait_for_url("**/c/acme/**")

    # Import the FEC through the upload page
    page.click(".side-nav a:text-is('Imports')")
    page.select_option("select[name=kind]", "fec")
    page.set_input_files("input[name=file]", str(shared_data / FEC))
    journey.shot("import-form")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/c/acme/imports/preview/**")
    journey.shot("import-preview")
    page.click('button:text-is("Lancer l\'import")')
    page.wait_for_url("**/c/acme/imports/*/")
    page.wait_for_selector("#import-progress:has-text('Terminé')", timeout=60_000)
    assert "17" in journey.text("main")  # 17 customers created
    journey.shot("import-done")
    assert Customer.objects.filter(company=company).count() == 17
    contacts_after_import(company, call_first)

    # The worker's daily run
    run_on = business_day(date.today())
    call_command("run", "--company", "acme", "--date", run_on.isoformat(), stdout=io.StringIO())
    page.click(".side-nav a:text-is('Passages de relance')")
    journey.shot("runs")

    # Approve the reminder of LAURENT PRIMEURS; the worker sends it; the outbox shows it
    page.click(".side-nav a:text-is('À valider')")
    reminder = Reminder.objects.get(customer__code="CLAURE", status="awaiting_approval")
    card = page.locator(f"#reminder-{reminder.pk}")
    assert "LAURENT PRIMEURS" in card.inner_text()
    journey.shot("approvals")
    card.locator("button[value=approve]").click()
    page.wait_for_load_state()
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING
    call_command("send", stdout=io.StringIO())
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT, reminder.error
    page.click('.side-nav a:text-is("Boîte d\'envoi")')
    row = page.locator("tr", has_text="LAURENT PRIMEURS").first
    assert "Envoyée" in row.inner_text()
    page.select_option("select[name=status]", "sent")  # the filter submits itself (relance.js)
    page.wait_for_url("**/reminders/outbox/?status=sent")
    assert page.locator("tbody tr").count() == 1
    journey.shot("outbox")

    # Call PROSOL GESTION from the agenda; it promises to pay in ten days
    call = Reminder.objects.get(customer__code="CPRO00", channel="call")
    page.click(".side-nav a:text-is('Agenda')")
    journey.shot("agenda")
    page.click(f"a[href='/c/acme/calls/{call.pk}/']")
    page.wait_for_url(f"**/c/acme/calls/{call.pk}/")
    assert page.locator("a[href='tel:0490123456']").count() == 1
    promised_on = run_on + timedelta(days=10)
    page.check("input[value=promise]")
    page.locator("form.call-outcome details summary").click()
    page.fill("input[name=promised_on]", promised_on.isoformat())
    page.fill("input[name=amount]", "5000.00")
    journey.shot("call-sheet")
    page.click("form.call-outcome button[type=submit]")
    page.wait_for_url("**/c/acme/agenda/")
    assert "Appel enregistré." in journey.text()
    promise = Promise.objects.get(customer__code="CPRO00")
    assert (promise.promised_on, promise.amount) == (promised_on, Decimal("5000.00"))

    # The dashboard draws its charts
    page.click(".side-nav a:text-is('Tableau de bord')")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-aging')")
    assert charts_with_ink(page, CHARTS) == CHARTS
    journey.shot("dashboard")

    # Switch to English
    page.click("button[value=en]")
    page.wait_for_selector("h1:text-is('Dashboard')")
    assert "Overdue" in journey.text()
    journey.shot("dashboard-en")
