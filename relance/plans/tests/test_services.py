"""Agreeing, cancelling and checking payment plans through the database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from relance.ledger import services as ledger
from relance.ledger.models import Customer
from relance.plans import services
from relance.plans.models import PaymentPlan

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 2)
D = Decimal


@pytest.fixture
def company():
    return ledger.create_company("PLN", "Plans SAS")


@pytest.fixture
def customer(company):
    return Customer.objects.create(company=company, code="C1", name="Client C1")


def invoice(customer, number, amount, **fields):
    due_on = fields.pop("due_on", TODAY - timedelta(days=20))
    issued_on = due_on - timedelta(30)
    return ledger.record_invoice(
        customer.company, customer, number=number, amount=D(amount), issued_on=issued_on,
        due_on=due_on, **fields,
    )  # fmt: skip


def test_a_plan_covers_what_the_invoices_owe_in_equal_monthly_instalments(customer):
    f1, f2 = invoice(customer, "F1", "600.00"), invoice(customer, "F2", "400.00")
    ledger.receive_payment(customer.company, customer, [f1], amount=D("100.00"),
                           received_on=TODAY, currency="EUR")  # fmt: skip
    plan = services.agree_plan(
        customer, None, [f1, f2], TODAY, count=3, first_on=date(2026, 11, 30)
    )
    assert (plan.status, plan.covered_amount, plan.currency) == ("active", D("900.00"), "EUR")
    assert [(i.number, i.due_on, i.amount) for i in plan.instalments.all()] == [
        (1, date(2026, 11, 30), D("300.00")),
        (2, date(2026, 12, 30), D("300.00")),
        (3, date(2027, 2, 1), D("300.00")),  # 30 January 2027 is a Saturday
    ]
    assert set(plan.invoices.all()) == {f1, f2}


def test_a_schedule_typed_by_hand_must_add_up_to_the_amount_covered(customer):
    f1 = invoice(customer, "F1", "500.00")
    december, january = date(2026, 12, 1), date(2027, 1, 1)
    with pytest.raises(ValidationError, match="totalisent 450"):
        schedule = [(december, D("200")), (january, D("250"))]
        services.agree_plan(customer, None, [f1], TODAY, schedule=schedule)
    schedule = [(january, D("250")), (december, D("250"))]
    plan = services.agree_plan(customer, None, [f1], TODAY, schedule=schedule)
    # 1 January is a public holiday (a Friday in 2027): paid on Monday 4 January.
    assert [i.due_on for i in plan.instalments.all()] == [date(2026, 12, 1), date(2027, 1, 4)]
    assert PaymentPlan.objects.count() == 1


def test_instalment_dates_follow_the_companys_calendar(customer, company):
    good_friday = date(2027, 3, 26)
    plan = services.agree_plan(
        customer, None, [invoice(customer, "F1", "500.00")], TODAY, count=1, first_on=good_friday
    )
    assert plan.instalments.get().due_on == good_friday  # a business day in most of France
    company.alsace_moselle = True
    company.save()
    customer.refresh_from_db()
    plan = services.agree_plan(
        customer, None, [invoice(customer, "F2", "500.00")], TODAY, count=1, first_on=good_friday
    )
    assert plan.instalments.get().due_on == date(2027, 3, 30)  # and Easter Monday after it


def test_two_typed_dates_on_the_same_business_day_are_refused_with_both(customer):
    f1 = invoice(customer, "F1", "500.00")
    saturday, monday = date(2026, 12, 19), date(2026, 12, 21)
    with pytest.raises(ValidationError) as refused:
        schedule = [(saturday, D("250")), (monday, D("250"))]
        services.agree_plan(customer, None, [f1], TODAY, schedule=schedule)
    assert refused.value.messages == [
        "Les échéances du 19/12/2026 et du 21/12/2026 tombent le même jour ouvré, le 21/12/2026 "
        "(week-end ou jour férié reporté au jour ouvré suivant)."
    ]
    assert not PaymentPlan.objects.exists()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("none", "au moins une facture"),
        ("paid", "factures ouvertes du client"),
        ("credit", "factures ouvertes du client"),
        ("other_customer", "factures ouvertes du client"),
        ("currencies", "une seule devise"),
        ("taken", "déjà dans un échéancier"),
        ("no_schedule", "nombre d'échéances"),
    ],
)
def test_what_a_plan_refuses(customer, kind, message):
    f1 = invoice(customer, "F1", "500.00")
    invoices, fields = [f1], {"count": 2, "first_on": date(2026, 12, 1)}
    if kind == "none":
        invoices = []
    elif kind == "paid":
        invoices = [invoice(customer, "F2", "100.00", open_amount=D(0))]
    elif kind == "credit":
        invoices = [invoice(customer, "A1", "100.00", is_credit=True)]
    elif kind == "other_customer":
        other = Customer.objects.create(company=customer.company, code="C2", name="Autre")
        invoices = [invoice(other, "F9", "100.00")]
    elif kind == "currencies":
        invoices = [f1, invoice(customer, "F3", "100.00", currency="USD")]
    elif kind == "taken":
        services.agree_plan(customer, None, [f1], TODAY, **fields)
    elif kind == "no_schedule":
        fields = {}
    with pytest.raises(ValidationError, match=message):
        services.agree_plan(customer, None, invoices, TODAY, **fields)


def test_a_cancelled_plan_frees_its_invoices_and_cannot_be_cancelled_twice(customer):
    f1 = invoice(customer, "F1", "500.00")
    plan = services.agree_plan(customer, None, [f1], TODAY, count=2, first_on=date(2026, 12, 1))
    services.cancel_plan(plan, None, TODAY, "le client a changé d'avis")
    assert (plan.status, plan.ended_on, plan.end_note) == (
        "cancelled",
        TODAY,
        "le client a changé d'avis",
    )
    with pytest.raises(ValidationError):
        services.cancel_plan(plan, None, TODAY)
    services.agree_plan(customer, None, [f1], TODAY, count=1, first_on=date(2026, 12, 1))


def test_the_daily_status_changes_are_set_based_and_idempotent(customer):
    f1, f2 = invoice(customer, "F1", "300.00"), invoice(customer, "F2", "300.00")
    kept = services.agree_plan(customer, None, [f1], TODAY, count=1, first_on=date(2026, 11, 10))
    missed = services.agree_plan(customer, None, [f2], TODAY, count=1, first_on=date(2026, 11, 10))
    ledger.receive_payment(customer.company, customer, [f1], amount=D("300.00"),
                           received_on=date(2026, 11, 9), currency="EUR")  # fmt: skip
    changes = services.update_statuses(customer.company, date(2026, 11, 26))
    assert (changes.completed, changes.broken) == ([kept.pk], [missed.pk])
    assert len(changes.alerts) == 1
    again = services.update_statuses(customer.company, date(2026, 11, 27))
    assert (again.completed, again.broken, again.alerts) == ([], [], [])
    kept.refresh_from_db(), missed.refresh_from_db()
    assert (kept.status, missed.status) == ("completed", "broken")
