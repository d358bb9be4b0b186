"""Unpaid rate, amounts recovered after each step and cost of collection, computed by hand on
a small portfolio (company COL, time zone Europe/Paris, EUR), and their 12-month evolution.

Unpaid rate as of 31 March 2026 (cohort: due 2024-12-31 .. 2025-12-30):
    F10 4,000 due 2025-05-31, a 500 credit note lettered 1 Aug 2025 -> 3,500 open
    F11 10,000 due 2025-07-01, paid in full 20 Jul 2025               -> 0
    F12 5,000 due 2025-10-01, 3,000 paid 20 Oct 2025, the 2,000 left written off (an
        adjustment "passage en perte") on 10 Feb 2026                  -> 2,000 written off
    F13 1,000 due 2026-01-15 (75 days: not in the cohort), F14 1,000 due 2024-12-01 (too old)
    -> (3,500 + 2,000) / 19,000 = 28.9 %.
As of 31 January 2026 (cohort: due 2024-11-02 .. 2025-11-01): F14 1,000 open, F10 3,500,
    F11 0, F12 2,000 still open (written off later) -> 6,500 / 20,000 = 32.5 %.

Recovered in March 2026, (28 Feb, 31 Mar], scenario "Standard":
    F20 3,000: "1. Rappel" (e-mail) sent 15 Feb, "2. Relance ferme" (letter) 10 Mar;
        1,000 lettered 5 Mar and 1,500 on 10 Mar -> step 1 (the day of step 2 is not after
        it); 500 on 20 Mar -> step 2
    F21 2,000 paid 15 Mar, never reminded -> before any step
    -> collected 5,000: step 1 2,500, step 2 500, no step 2,000.

Cost in March (e-mail 0.10, SMS 0.05, letter 1.50, a minute 0.50, 4 minutes a call):
    letter (F20) 1.50; SMS (F22) 0.05; call step (F22), two calls 2 x 4 x 0.50 = 4.00;
    thank-you e-mail (F21) 0.10; e-mail sent 31 Mar 23:30 in Paris (F22) 0.10
    -> 5.75 for 3 invoices (F20, F21, F22) = 1.92 per invoice.
    The e-mail sent 28 Feb 23:30 in Paris (22:30 UTC) belongs to February, with "1. Rappel":
    February's cost 0.20 for 2 invoices (F20, F22) = 0.10.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from relance.dunning.models import Call, Reminder, ReminderItem, Scenario
from relance.dunning.thanks import THANKS_LEVEL, THANKS_STEP
from relance.ledger import services as ledger
from relance.ledger.models import Customer
from relance.reports import services
from relance.reports.collection import StepRecovery
from relance.team.models import Role
from relance.web.tests.factories import make_member

pytestmark = pytest.mark.django_db
D = Decimal
PARIS = ZoneInfo("Europe/Paris")
AS_OF = date(2026, 3, 31)


def item(company, debtor, number, amount, due_on, **fields):
    issued_on = fields.pop("issued_on", date.fromordinal(due_on.toordinal() - 30))
    return ledger.record_invoice(
        company, debtor, number=number, amount=D(amount), issued_on=issued_on, due_on=due_on,
        currency="EUR", **fields,
    )  # fmt: skip


def pay(company, debtor, invoice, amount, on):
    payment = ledger.record_payment(
        company, customer=debtor, amount=D(amount), received_on=on, currency="EUR"
    )
    ledger.allocate(invoice, D(amount), on, payment=payment)


def sent(debtor, invoices, level, step_name, channel, at, scenario=None):
    reminder = Reminder.objects.create(
        company=debtor.company, customer=debtor, scenario=scenario, level=level,
        step_name=step_name, channel=channel, currency="EUR", amount=D(1), overdue_amount=D(1),
        status=Reminder.Status.SENT, planned_on=at.date(), sent_at=at,
    )  # fmt: skip
    ReminderItem.objects.bulk_create(
        ReminderItem(reminder=reminder, invoice=invoice, open_amount=D(1)) for invoice in invoices
    )
    return reminder


def call(reminder, at):
    made = Call.objects.create(
        company=reminder.company, customer=reminder.customer, reminder=reminder, outcome="no_answer"
    )
    Call.objects.filter(pk=made.pk).update(at=at)


def paris(*parts):
    return datetime(*parts, tzinfo=PARIS)


@pytest.fixture
def company():
    company = ledger.create_company(
        "COL", "Recouvrement SAS", email_unit_cost=D("0.10"), sms_unit_cost=D("0.05"),
        letter_unit_cost=D("1.50"), phone_minute_cost=D("0.50"), call_minutes=D("4"),
    )  # fmt: skip
    collector = make_member(company, Role.COLLECTOR, "col-collector")
    a = ledger.create_customer(company, code="A", name="Client A", collector=collector)
    b = ledger.create_customer(company, code="B", name="Client B")
    _cohort(company, a)
    _steps(company, b)
    return company


def _cohort(company, a):
    f10 = item(company, a, "F10", "4000", date(2025, 5, 31))
    note = item(company, a, "AV1", "500", date(2025, 8, 1), kind="credit_note", is_credit=True)
    ledger.allocate(f10, D(500), date(2025, 8, 1), credit_item=note)
    pay(company, a, item(company, a, "F11", "10000", date(2025, 7, 1)), "10000", date(2025, 7, 20))
    f12 = item(company, a, "F12", "5000", date(2025, 10, 1))
    pay(company, a, f12, "3000", date(2025, 10, 20))
    loss = item(company, a, "OD1", "2000", date(2026, 2, 10), kind="adjustment", is_credit=True,
                label="Passage en perte")  # fmt: skip
    ledger.allocate(f12, D(2000), date(2026, 2, 10), credit_item=loss)
    item(company, a, "F13", "1000", date(2026, 1, 15))
    item(company, a, "F14", "1000", date(2024, 12, 1))


def _steps(company, b):
    scenario = Scenario.objects.create(company=company, name="Standard")
    f20 = item(company, b, "F20", "3000", date(2026, 2, 9))
    f21 = item(company, b, "F21", "2000", date(2026, 3, 3))
    f22 = item(company, b, "F22", "700", date(2026, 2, 20))
    sent(b, [f20], 1, "Rappel", "email", paris(2026, 2, 15, 10), scenario)
    sent(b, [f22], 1, "Rappel", "email", paris(2026, 2, 28, 23, 30), scenario)
    sent(b, [f20], 2, "Relance ferme", "letter", paris(2026, 3, 10, 9), scenario)
    sent(b, [f22], 3, "SMS", "sms", paris(2026, 3, 12, 9), scenario)
    phone = sent(b, [f22], 4, "Appel", "call", paris(2026, 3, 25, 11), scenario)
    call(phone, paris(2026, 3, 24, 15))
    call(phone, paris(2026, 3, 25, 11))
    sent(b, [f21], THANKS_LEVEL, THANKS_STEP, "email", paris(2026, 3, 21, 9))
    sent(b, [f22], 5, "Dernier rappel", "email", paris(2026, 3, 31, 23, 30), scenario)
    pending = sent(b, [f22], 6, "Mise en demeure", "registered_letter", paris(2026, 3, 30, 9))
    Reminder.objects.filter(pk=pending.pk).update(status=Reminder.Status.PENDING)
    for amount, day in (("1000", 5), ("1500", 10), ("500", 20)):
        pay(company, b, f20, amount, date(2026, 3, day))
    pay(company, b, f21, "2000", date(2026, 3, 15))


def test_the_figures_of_the_month_computed_by_hand(company):
    now = services.evolution(company, AS_OF, "EUR")[-1]
    assert (now.unpaid.invoiced, now.unpaid.open, now.unpaid.written_off) == (
        D("19000.00"), D("3500.00"), D("2000.00"),
    )  # fmt: skip
    assert round(now.unpaid_rate, 1) == D("28.9")
    assert now.recovery.collected == D("5000.00")
    assert now.recovery.steps == (
        StepRecovery("Standard", 1, "Rappel", D("2500.00")),
        StepRecovery("Standard", 2, "Relance ferme", D("500.00")),
        StepRecovery("", None, "", D("2000.00")),
    )
    assert now.recovery.after_reminders == D("3000.00")
    assert now.activity.sent == {"letter": 1, "sms": 1, "call": 1, "email": 2}
    assert (now.activity.calls, now.activity.invoices) == (2, 3)
    assert now.cost == D("5.75")
    assert round(now.cost_per_invoice, 2) == D("1.92")


def test_each_month_of_the_evolution_has_its_own_figures(company):
    points = services.evolution(company, AS_OF, "EUR")
    assert [p.as_of for p in points[-3:]] == [date(2026, 1, 31), date(2026, 2, 28), AS_OF]
    january, february = points[-3], points[-2]
    assert (january.unpaid.unpaid, january.unpaid.invoiced) == (D("6500.00"), D("20000.00"))
    assert january.unpaid_rate == D("32.5")
    assert (february.cost, february.activity.invoices, february.cost_per_invoice) == (
        D("0.20"), 2, D("0.10"),
    )  # fmt: skip
    assert february.recovery.collected == D(0) and february.recovery.steps == ()
    assert points[0].as_of == date(2025, 4, 30) and points[0].cost_per_invoice is None


def test_a_portfolio_counts_only_its_customers(company):
    portfolio = Customer.objects.filter(company=company, code="A")
    now = services.evolution(company, AS_OF, "EUR", portfolio)[-1]
    assert now.unpaid_rate is not None and round(now.unpaid_rate, 1) == D("28.9")  # all A's
    assert now.recovery.collected == D(0) and now.activity.invoices == 0 and now.cost == D(0)


def test_the_dashboard_takes_the_company_unit_costs(company):
    board = services.dashboard(company, AS_OF, "EUR")
    assert board.now.cost == D("5.75")
    company.letter_unit_cost = D("2.50")
    company.save()
    assert services.dashboard(company, AS_OF, "EUR").now.cost == D("6.75")
