"""A small portfolio whose scores are computed by hand in test_services.py, and the records
the role tests need (a score with a pending suggestion, an open alert)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from relance.dunning.models import Dispute, Promise, Reminder
from relance.ledger import services as ledger
from relance.scoring.models import RiskAlert, Score
from relance.web.tests.factories import make_company, make_customer, make_reminder

TODAY = date(2026, 6, 30)


def invoice(customer, number: str, amount: str, due_on: date, **fields):
    return ledger.record_invoice(
        customer.company,
        customer,
        number=number,
        issued_on=due_on - timedelta(days=30),
        due_on=due_on,
        amount=Decimal(amount),
        currency="EUR",
        **fields,
    )


def pay(customer, item, on: date, method: str = "transfer"):
    """A payment of the item's open amount received and lettered on `on`."""
    return ledger.receive_payment(
        customer.company,
        customer,
        [item],
        amount=item.open_amount,
        received_on=on,
        currency="EUR",
        method=method,
    )


def sent(customer, planned_on: date, overdue: str):
    reminder = make_reminder(
        customer, Reminder.Status.SENT, planned_on=planned_on, overdue_amount=Decimal(overdue)
    )
    return reminder


def portfolio():
    """Customer A (see test_services.py for its score by hand), customer B blocked with no
    history, and a customer of another company that must not be read."""
    company = make_company("acme", "Acme SAS")
    a = make_customer(company, "A", "Alpha", credit_limit=Decimal("5000"))
    a1 = invoice(a, "A1", "1000", date(2026, 1, 10))
    pay(a, a1, date(2026, 1, 30))  # 20 days late, earlier in the window
    a2 = invoice(a, "A2", "3000", date(2026, 5, 1))
    pay(a, a2, date(2026, 5, 4))  # 3 days late: within the grace, recent
    invoice(a, "A3", "2000", date(2026, 6, 10))  # open, 20 days past due
    invoice(a, "A4", "500", date(2026, 7, 15))  # open, not due
    old = invoice(a, "A0", "800", date(2025, 3, 1))
    pay(a, old, date(2025, 6, 1))  # settled before the window: not read
    dispute = Dispute.objects.create(company=company, customer=a, invoice=a1, reason="price")
    opened = datetime(2026, 3, 1, 10, tzinfo=ZoneInfo("Europe/Paris"))
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=opened)
    Promise.objects.create(
        company=company,
        customer=a,
        promised_on=date(2026, 4, 15),
        amount=Decimal("2000"),
        status=Promise.Status.BROKEN,
    )
    Promise.objects.create(  # kept: not counted
        company=company,
        customer=a,
        promised_on=date(2026, 4, 1),
        amount=Decimal("100"),
        status=Promise.Status.KEPT,
    )
    sent(a, date(2026, 6, 15), "2000")
    sent(a, date(2026, 6, 25), "2000")
    sent(a, date(2026, 7, 10), "0")  # courteous, before the due date: not counted
    make_reminder(a, Reminder.Status.PENDING, planned_on=date(2026, 6, 28))  # not sent
    b = make_customer(company, "B", "Bravo", is_blocked=True)
    other = make_company("other", "Other SARL")
    stranger = make_customer(other, "A", "Alpha ailleurs")
    invoice(stranger, "X1", "9999", date(2026, 1, 1))
    return company, a, b


def risk_records(world):
    """A score suggesting another profile and an open alert on the world's customer, built
    once per World."""
    if not hasattr(world, "score"):
        world.score = Score.objects.create(
            company=world.company,
            customer=world.customer,
            computed_on=date.today(),
            score=35,
            factors=[{"factor": "days_late", "value": "45.0", "points": "22.5"}],
            suggested_profile="bad",
            rule="very_late",
            judged=5,
        )
        world.alert = RiskAlert.objects.create(
            company=world.company,
            customer=world.customer,
            kind=RiskAlert.Kind.CREDIT_LIMIT,
            level=70,
            raised_on=date.today(),
            amount=Decimal("1200.00"),
            currency="EUR",
        )
    return world
