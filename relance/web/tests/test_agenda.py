"""The agenda (each kind of work, for the right collector, by priority) and the call sheet."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.dunning.agenda import KINDS
from relance.dunning.models import Call, Dispute, Hold, Promise, Reminder
from relance.ledger import services
from relance.notes.services import write_note
from relance.portal.models import DebtorAction
from relance.scoring.models import RiskAlert
from relance.team.models import Role

from .factories import (
    World,
    make_call,
    make_customer,
    make_follow_up,
    make_invoice,
    make_payment,
    make_reminder,
)

TODAY = date.today()


def agenda(client, user, **params):
    client.force_login(user)
    response = client.get("/c/acme/agenda/", params)
    assert response.status_code == 200
    return response


def entries(response):
    return [entry for entry, _url in response.context["entries"]]


def make_work(customer):
    """One piece of work of each kind on `customer`."""
    company = customer.company
    make_call(customer, "800.00", 20)
    make_call(customer, "90.00", 3, channel="task", step_name="Chorus Pro")
    make_call(customer, "400.00", 40, channel="registered_letter", step_name="Recommandé")
    make_reminder(customer, Reminder.Status.AWAITING_APPROVAL)
    make_reminder(customer, Reminder.Status.FAILED, error="Adresse refusée")
    late = make_invoice(customer, "700.00", due_on=TODAY - timedelta(days=60))
    promise = Promise.objects.create(
        company=company,
        customer=customer,
        promised_on=TODAY - timedelta(days=10),
        amount=Decimal("700.00"),
    )
    promise.invoices.set([late])
    Dispute.objects.create(company=company, customer=customer, invoice=late, reason="price")
    Hold.objects.create(
        company=company, customer=customer, reason="Accord", ends_on=TODAY + timedelta(days=3)
    )
    make_follow_up(customer)
    make_invoice(customer, "150.00", due_on=_years_ago(5) + timedelta(days=60))
    manager = company.memberships.filter(role=Role.MANAGER).first().user
    write_note(customer, manager, f"@{customer.collector.username} à rappeler")
    RiskAlert.objects.create(company=company, customer=customer, kind="blocked",
                             raised_on=TODAY, amount=Decimal("700.00"), currency="EUR")  # fmt: skip
    DebtorAction.objects.create(company=company, customer=customer, kind="claim",
                                summary="Paiement annoncé", amount=Decimal("700.00"))  # fmt: skip


def _years_ago(years: int) -> date:
    return TODAY.replace(year=TODAY.year - years, day=min(TODAY.day, 28))


@pytest.fixture
def work(world):
    make_work(world.customer)
    make_work(world.foreign_customer)
    return world


def test_each_kind_of_work_appears_for_its_collector_only(client, work):
    for user, customer in [
        (work.user(Role.COLLECTOR), work.customer),
        (work.other_collector, work.foreign_customer),
    ]:
        response = agenda(client, user)
        rows = entries(response)
        assert {entry.kind for entry in rows} == set(KINDS)
        assert {entry.customer for entry in rows} == {customer}
        assert all(count >= 1 for count in response.context["agenda"].counts.values())


def test_the_agenda_lists_what_each_kind_is_about(client, work):
    rows = entries(agenda(client, work.user(Role.COLLECTOR)))
    labels = {entry.kind: entry.label for entry in rows}
    assert labels["limitation"].startswith("Prescription le ")
    assert labels["holds"].startswith("tout le client : fin le ")
    assert labels["follow_ups"] == "Paiement annoncé à vérifier"
    assert labels["broken_promises"].startswith("Promis pour le ")
    failures = [entry.label for entry in rows if entry.kind == "failures"]
    assert "Échec — Adresse refusée" in failures and "Incertaine — Relance amiable" in failures
    # The world's own records: its open dispute and its uncertain reminder are listed too.
    assert sum(entry.kind == "disputes" for entry in rows) == 2


def test_a_manager_sees_every_portfolio_or_chooses_a_collector(client, work):
    manager = work.user(Role.MANAGER)
    customers = {entry.customer for entry in entries(agenda(client, manager))}
    assert customers == {work.customer, work.foreign_customer}
    chosen = agenda(client, manager, collector=work.other_collector.pk)
    assert {entry.customer for entry in entries(chosen)} == {work.foreign_customer}
    assert work.other_collector in chosen.context["collectors"]


def test_a_collector_cannot_look_at_another_portfolio(client, work):
    response = agenda(client, work.user(Role.COLLECTOR), collector=work.other_collector.pk)
    assert {entry.customer for entry in entries(response)} == {work.customer}
    assert response.context["collectors"] == []


def test_work_comes_highest_priority_first(client, world):
    small = make_call(world.customer, "100.00", 5)
    big_old = make_call(world.customer, "2000.00", 45)
    bad = make_customer(world.company, payer_profile="bad", collector=world.user(Role.COLLECTOR))
    risky = make_call(bad, "2000.00", 45)
    response = agenda(client, world.user(Role.COLLECTOR), type="calls")
    calls = [url for entry, url in response.context["entries"]]
    assert calls == [f"/c/acme/calls/{r.pk}/" for r in (risky, big_old, small)]
    scores = [entry.score for entry in entries(response)]
    assert scores == [2000 * 46 * 2, 2000 * 46, 100 * 6]
    assert response.context["agenda"].counts["approvals"] == 1  # counts stay for every kind


def test_disputes_alone_come_oldest_first(client, world):
    newer = make_invoice(world.customer, "9000.00")
    Dispute.objects.create(
        company=world.company, customer=world.customer, invoice=newer, reason="quality"
    )
    rows = entries(agenda(client, world.user(Role.COLLECTOR), type="disputes"))
    assert [entry.label for entry in rows] == ["F-0001 — Prix", f"{newer.number} — Qualité"]


def test_calls_to_try_later_and_unpaid_promises_only(client, world):
    later = make_call(world.customer)
    Reminder.objects.filter(pk=later.pk).update(next_attempt_at=_tomorrow_noon())
    make_call(world.customer, planned_on=TODAY + timedelta(days=1))
    paid = make_invoice(world.customer, "50.00", due_on=TODAY - timedelta(days=30))
    services.allocate(paid, Decimal("50.00"), TODAY, payment=make_payment(world.customer, "50.00"))
    kept = Promise.objects.create(
        company=world.company, customer=world.customer, promised_on=TODAY - timedelta(days=10),
        amount=Decimal("50.00"),
    )  # fmt: skip
    kept.invoices.set([paid])
    Promise.objects.create(  # within the three days of grace
        company=world.company, customer=world.customer, promised_on=TODAY - timedelta(days=2),
        amount=Decimal("50.00"),
    )  # fmt: skip
    counts = agenda(client, world.user(Role.COLLECTOR)).context["agenda"].counts
    assert counts["calls"] == 0 and counts["broken_promises"] == 0


def _tomorrow_noon():
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(TODAY + timedelta(days=1), time(12), tzinfo=ZoneInfo("Europe/Paris"))


def test_consumers_debts_are_time_barred_after_two_years(client, world):
    person = make_customer(
        world.company, is_consumer=True, collector=world.user(Role.COLLECTOR), name="M. Petit"
    )
    make_invoice(person, "80.00", due_on=_years_ago(2) + timedelta(days=30))
    make_invoice(world.customer, "80.00", due_on=_years_ago(2) + timedelta(days=30))
    rows = entries(agenda(client, world.user(Role.COLLECTOR), type="limitation"))
    assert [(entry.customer, entry.detail) for entry in rows] == [
        (person, "particulier : 2 ans (L218-2)")
    ]


def test_collectors_land_on_their_agenda_and_managers_on_the_customers(client, world):
    client.force_login(world.user(Role.COLLECTOR))
    assert client.get("/")["Location"] == "/c/acme/agenda/"
    client.force_login(world.user(Role.MANAGER))
    assert client.get("/")["Location"] == "/c/acme/customers/"


def test_the_agenda_and_the_call_sheet_in_english(client, work):
    client.force_login(work.user(Role.COLLECTOR))
    client.post("/i18n/setlang/", {"language": "en", "next": "/c/acme/agenda/"})
    page = client.get("/c/acme/agenda/").content.decode()
    assert "Calls to make" in page and "Broken promises" in page and "Limitation date" in page
    assert "Appels à passer" not in page
    call = Reminder.objects.filter(customer=work.customer, channel="call").first()
    page = client.get(f"/c/acme/calls/{call.pk}/").content.decode()
    assert "Who to call" in page and "Promise obtained" in page and "Record the outcome" in page


# --- The call sheet -----------------------------------------------------------------------------


def sheet(client, world, reminder, role=Role.COLLECTOR):
    client.force_login(world.user(role))
    return client.get(f"/c/acme/calls/{reminder.pk}/")


def test_the_call_sheet_shows_whom_to_call_what_is_owed_and_what_to_say(client, world):
    world.contact.phone, world.contact.mobile = "01 23 45 67 89", "06 12 34 56 78"
    world.contact.save()
    call = make_call(world.customer, "1500.00", 20)
    html = sheet(client, world, call).content.decode()
    assert 'href="tel:0123456789"' in html and 'href="tel:0612345678"' in html
    assert "Jeanne Dupont" in html and world.user(Role.COLLECTOR).username in html
    assert call.items.get().invoice.number in html and "1\u00a0500,00\u00a0€" in html
    assert "Points à aborder" in html and "Se présenter" in html  # the step's call script
    assert "Promesse obtenue" in html and "Numéro erroné" in html  # the outcome form
    assert "Litige" in html  # the customer's history (the world's dispute)


def test_posting_a_promise_records_the_call_and_returns_to_the_agenda(client, world):
    call = make_call(world.customer, "1500.00", 20)
    client.force_login(world.user(Role.COLLECTOR))
    response = client.post(
        f"/c/acme/calls/{call.pk}/",
        {
            "outcome": "promise",
            "promised_on": (TODAY + timedelta(days=8)).isoformat(),
            "amount": "1500.00",
            "note": "Virement vendredi",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/c/acme/agenda/"
    call.refresh_from_db()
    assert call.status == "sent"
    promise = Promise.objects.get(channel="call")
    assert list(promise.invoices.all()) == [call.items.get().invoice]
    assert Call.objects.get().note == "Virement vendredi"
    history = sheet(client, world, call).content.decode()
    assert "Promesse obtenue : 1500" in history and "Virement vendredi" in history
    assert "Enregistrer l&#x27;issue" not in history  # done: no form any more


def test_a_promise_without_a_date_shows_the_form_again(client, world):
    call = make_call(world.customer)
    client.force_login(world.user(Role.COLLECTOR))
    response = client.post(f"/c/acme/calls/{call.pk}/", {"outcome": "promise"})
    assert response.status_code == 200
    assert "Une promesse demande une date et un montant." in response.content.decode()
    assert not Call.objects.exists()


def test_a_wrong_number_is_struck_through_and_the_call_listed_as_failed(client, world):
    world.contact.phone = "01 23 45 67 89"
    world.contact.save()
    call = make_call(world.customer)
    client.force_login(world.user(Role.COLLECTOR))
    client.post(
        f"/c/acme/calls/{call.pk}/",
        {"outcome": "wrong_number", "called": f"{world.contact.pk}:01 23 45 67 89"},
    )
    html = sheet(client, world, call).content.decode()
    assert 'href="tel:0123456789"' not in html and "numéro signalé erroné" in html
    failures = entries(agenda(client, world.user(Role.COLLECTOR), type="failures"))
    assert any("Numéro erroné : 01 23 45 67 89" in entry.label for entry in failures)


def test_read_only_members_read_the_sheet_without_the_form(client, world):
    html = sheet(client, world, make_call(world.customer), Role.READ_ONLY).content.decode()
    assert "Points à aborder" in html and "Enregistrer l&#x27;issue" not in html


def test_only_call_and_task_reminders_have_a_call_sheet(client, world):
    assert sheet(client, world, world.reminder).status_code == 404  # an e-mail
    assert sheet(client, world, make_call(world.foreign_customer)).status_code == 404


def test_the_accountant_marks_an_announced_payment_checked(client, world):
    follow_up = make_follow_up(world.customer)
    client.force_login(world.user(Role.ACCOUNTANT))
    rows = entries(agenda(client, world.user(Role.ACCOUNTANT), type="follow_ups"))
    assert [entry.follow_up_id for entry in rows] == [follow_up.pk]
    client.post(f"/c/acme/follow-ups/{follow_up.pk}/done/", {"note": "Chèque reçu"})
    follow_up.refresh_from_db()
    assert follow_up.done_note == "Chèque reçu" and follow_up.done_by is not None
    assert agenda(client, world.user(Role.ACCOUNTANT)).context["agenda"].counts["follow_ups"] == 0


# --- In the browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_the_agenda_and_a_call_sheet_in_the_browser(
    page, artifacts_dir, live_server, transactional_db
):
    world = World()
    world.contact.phone = "01 23 45 67 89"
    world.contact.save()
    make_work(world.customer)
    call = make_call(world.customer, "3450.50", 32)
    collector = world.user(Role.COLLECTOR)
    collector.set_password("secret-pass-1")
    collector.save()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", collector.username)
    page.fill("input[name=password]", "secret-pass-1")
    page.click(".login-form button[type=submit]")
    page.wait_for_url("**/c/acme/agenda/")
    assert page.locator("h1").inner_text().startswith("Agenda")
    assert "Appels à passer" in page.content() and "Martin Négoce" not in page.content()
    page.screenshot(path=str(artifacts_dir / "web-agenda.png"), full_page=True)
    page.click(f"a[href='/c/acme/calls/{call.pk}/']")
    page.wait_for_url(f"**/c/acme/calls/{call.pk}/")
    assert page.locator("a[href='tel:0123456789']").count() == 1
    page.screenshot(path=str(artifacts_dir / "web-call-sheet.png"), full_page=True)
    page.check("input[value=no_answer]")
    page.click("form.call-outcome button[type=submit]")
    page.wait_for_url("**/c/acme/agenda/")
    assert "Appel enregistré." in page.content()
