"""Two daily runs for the same date started at once (issue 8, faults): one does the work, the
other finds it done, and what a run decides before planning (promises broken, payment plans
broken) is decided once, with one webhook event and one call to make.

- Two `relance run` processes, each with its own interpreter and connection, on the test
  database (a file on SQLite, the server on PostgreSQL).
- Two threads (each its own connection) held by a barrier at the point where both have read
  the same open promise and the same broken plan, before either writes: on PostgreSQL the
  loser waits for the winner's row locks, then finds nothing left to decide; on SQLite write
  transactions are serialised. test_run.py keeps the plain two-threads case.
"""

import contextlib
import json
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from relance.api.models import Event, WebhookEndpoint, WebhookEvent
from relance.core import plans as core_plans
from relance.dunning import actions, promises, services
from relance.dunning.models import DunningRun, Promise, Reminder, ReminderEvent
from relance.ledger import services as ledger
from relance.ledger.models import Contact, Customer
from relance.plans import services as plans
from relance.plans.models import PaymentPlan
from tests import processes

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = date(2026, 11, 23)  # a Monday
CUSTOMERS = 30
BARRIER_TIMEOUT = 3  # seconds: with row locks, the loser reaches a barrier after it broke


def make_company():
    """Overdue invoices for CUSTOMERS customers, a promise broken today, a plan broken today,
    and a webhook endpoint listening for broken promises."""
    company = ledger.create_company("CONC", "Deux Relances SAS")
    services.seed_default_scenarios(company)
    customers = []
    for n in range(CUSTOMERS):
        customer = Customer.objects.create(company=company, code=f"C{n:02}", name=f"Client {n}")
        Contact.objects.create(customer=customer, name="Compta", email=f"c{n}@example.fr",
                               role=Contact.Role.BILLING)  # fmt: skip
        customers.append(customer)
        invoice(company, customer, f"F{n:02}", TODAY - timedelta(days=5 + n))
    promised = invoice(company, customers[0], "P1", TODAY - timedelta(days=40))
    promised_on, made_on = TODAY - timedelta(days=10), TODAY - timedelta(days=20)
    actions.record_promise(customers[0], None, promised_on, Decimal("100.00"), [promised],
                           channel="email", made_on=made_on)  # fmt: skip
    planned = invoice(company, customers[1], "E1", TODAY - timedelta(days=60))
    first_on = TODAY - timedelta(days=core_plans.GRACE_DAYS + 7)  # a business day, unpaid
    plans.agree_plan(customers[1], None, [planned], first_on - timedelta(days=10), count=2,
                     first_on=first_on)  # fmt: skip
    WebhookEndpoint.objects.create(company=company, url="https://erp.example.fr/hooks",
                                   events=[Event.PROMISE_BROKEN], secret="s")  # fmt: skip
    return company


def invoice(company, customer, number, due_on, amount="100.00"):
    return ledger.record_invoice(company, customer, number=number, amount=Decimal(amount),
                                 issued_on=due_on - timedelta(30), due_on=due_on)  # fmt: skip


def assert_done_once(company, results):
    assert sorted(result["already_done"] for result in results) == [False, True]
    done = next(result for result in results if not result["already_done"])
    assert DunningRun.objects.filter(company=company, run_on=TODAY).count() == 1
    reminders = Reminder.objects.filter(company=company)
    dunning = reminders.exclude(step_name=plans.BROKEN_STEP)
    assert dunning.count() == len(done["reminders"]) > 0
    # Each reminder has its first event once: nothing written twice.
    firsts = ReminderEvent.objects.filter(reminder__company=company, status="pending")
    assert firsts.count() == reminders.count()
    assert list(Promise.objects.values_list("status", flat=True)) == ["broken"]
    assert list(PaymentPlan.objects.values_list("status", flat=True)) == ["broken"]
    assert reminders.filter(step_name=plans.BROKEN_STEP).count() == 1  # one call to make
    assert WebhookEvent.objects.filter(event=Event.PROMISE_BROKEN).count() == 1


def test_two_run_processes_for_the_same_date_do_the_work_once():
    company = make_company()
    args = ("run", "--company", company.code, "--date", TODAY.isoformat(), "--format", "json")
    children = [processes.start(*args) for _ in range(2)]
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_, stderr) in zip(children, outputs, strict=True):
        assert child.returncode == 0, stderr
    assert_done_once(company, [json.loads(stdout) for stdout, _ in outputs])


def test_two_runs_that_read_the_same_promise_and_plan_decide_them_once(monkeypatch):
    company = make_company()
    # Promises first: with row locks, the loser waits for the winner there, so it reaches
    # the plans late; their barrier waits longer.
    at_promises = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    at_plans = threading.Barrier(2, timeout=3 * BARRIER_TIMEOUT)

    def together(barrier):
        """Both runs wait here, having read what they are about to decide."""
        # Broken: the other run waits for this one's locks; go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    def paid(*args, **kwargs):
        together(at_promises)
        return real_paid(*args, **kwargs)

    def is_broken(*args, **kwargs):
        together(at_plans)
        return real_is_broken(*args, **kwargs)

    real_paid, real_is_broken = promises._paid, core_plans.is_broken
    monkeypatch.setattr(promises, "_paid", paid)
    monkeypatch.setattr(plans.core, "is_broken", is_broken)
    results, errors = [], []

    def run():
        try:
            results.append(services.run_dunning(company, TODAY).as_json())
        except Exception as error:  # reported below: a thread's exception would be lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_done_once(company, results)
