"""Training on a company's ledger: the history read from the database, a new version with a
prediction for every open item, the fallback on a short history, the backtest."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from relance.demo.services import generate_portfolio
from relance.dunning.models import Dispute, Reminder, ReminderItem
from relance.forecast import convert, learning, services
from relance.forecast.models import ForecastModel, Prediction
from relance.ledger import services as ledger
from relance.ledger.models import Invoice
from relance.web.tests.factories import make_company, make_customer, make_reminder

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 16)
PARIS = ZoneInfo("Europe/Paris")


def invoice(customer, number, issued, amount="1000.00", days=30):
    return ledger.record_invoice(
        customer.company, customer, number=number, issued_on=issued,
        due_on=issued + timedelta(days=days), amount=Decimal(amount), currency="EUR",
    )  # fmt: skip


def pay(item, amount, on):
    payment = ledger.record_payment(item.company, customer=item.customer, amount=Decimal(amount),
                                    received_on=on, currency="EUR")  # fmt: skip
    ledger.allocate(item, Decimal(amount), on, payment=payment)


@pytest.fixture
def portfolio():
    """A generated portfolio: 40 customers, 600 invoices over 18 months."""
    company = make_company("prev", "Prévisions SA")
    generate_portfolio(company, customers=40, invoices=600, today=TODAY, seed=2, months=18)
    return company


def test_the_history_read_from_the_ledger():
    company = make_company()
    customer = make_customer(company, "C1", "Dupont", payer_profile="negligent")
    settled = invoice(customer, "F1", date(2026, 1, 5))
    pay(settled, "400.00", date(2026, 2, 10))
    pay(settled, "600.00", date(2026, 2, 20))
    partly = invoice(customer, "F2", date(2026, 1, 10))
    pay(partly, "100.00", date(2026, 2, 1))
    invoice(customer, "F3", date(2025, 1, 1))  # before `since`
    ledger.record_invoice(company, customer, number="AV1", kind="credit_note", is_credit=True,
                          issued_on=date(2026, 1, 5), due_on=date(2026, 1, 5),
                          amount=Decimal("50.00"), currency="EUR")  # fmt: skip
    sent = make_reminder(customer, Reminder.Status.SENT, level=2,
                         sent_at=datetime(2026, 2, 14, 23, 30, tzinfo=ZoneInfo("UTC")))  # fmt: skip
    ReminderItem.objects.create(reminder=sent, invoice=partly, open_amount=Decimal("900.00"))
    unsent = make_reminder(customer, Reminder.Status.PENDING)
    ReminderItem.objects.create(reminder=unsent, invoice=partly, open_amount=Decimal("900.00"))
    Dispute.objects.create(company=company, customer=customer, invoice=partly, reason="price")
    history = convert.history(company, since=date(2025, 6, 1))
    assert [(i.id, i.paid_on, i.profile) for i in history.items] == [
        (settled.pk, date(2026, 2, 20), "negligent"),  # its last allocation
        (partly.pk, None, "negligent"),
    ]
    # Sent at 23:30 UTC: the 15th in Paris.
    assert [(r.item_id, r.sent_on, r.level) for r in history.reminders] == [
        (partly.pk, date(2026, 2, 15), 2)
    ]
    [dispute] = history.disputes
    assert (dispute.item_id, dispute.resolved_on) == (partly.pk, None)
    assert [i.id for i in convert.open_items(company)] == [partly.pk, company.invoices.get(
        number="F3").pk]  # fmt: skip


def test_training_predicts_every_open_item_with_its_range(portfolio):
    training = services.train(portfolio, TODAY)
    record = training.record
    assert (record.version, record.method, record.trained_on) == (1, "gradient_boosting", TODAY)
    assert record.n_train >= learning.MIN_TRAINING_ITEMS and record.n_rows > record.n_train
    open_ids = set(
        Invoice.objects.filter(company=portfolio, is_credit=False, open_amount__gt=0)
        .values_list("pk", flat=True)
    )  # fmt: skip
    predictions = list(Prediction.objects.filter(model=record))
    assert {p.invoice_id for p in predictions} == open_ids
    assert record.predictions_count == len(open_ids)
    for p in predictions:
        assert p.predicted_on == TODAY and p.method == "gradient_boosting"
        assert TODAY < p.low_on <= p.expected_on <= p.high_on
    model = learning.Model.loads(bytes(record.payload))
    assert model.n_items == record.n_train


def test_a_new_training_replaces_the_predictions_and_keeps_the_versions(portfolio):
    first = services.train(portfolio, TODAY).record
    second = services.train(portfolio, TODAY + timedelta(days=7)).record
    assert second.version == first.version + 1
    assert not Prediction.objects.filter(model=first).exists()
    assert Prediction.objects.filter(model=second).count() == second.predictions_count
    first.refresh_from_db()
    assert first.payload is None and second.payload is not None
    assert services.latest_model(portfolio) == second


def test_a_short_history_is_predicted_by_the_fallback():
    company = make_company()
    customer = make_customer(company, "C1", "Dupont")
    for n, (issued, paid) in enumerate(
        [(date(2025, 11, 1), date(2025, 12, 11)), (date(2025, 12, 1), date(2026, 1, 15)),
         (date(2026, 1, 2), date(2026, 2, 6))]  # 10, 15 and 5 days late
    ):  # fmt: skip
        pay(invoice(customer, f"F{n}", issued), "1000.00", paid)
    still_open = invoice(customer, "F9", date(2026, 3, 1))
    record = services.train(company, TODAY).record
    assert (record.method, record.payload, record.n_train) == ("fallback", None, 3)
    prediction = Prediction.objects.get(model=record)
    assert prediction.invoice == still_open and prediction.method == "customer"
    assert prediction.expected_on == date(2026, 4, 10)  # due 31 March + 10 days
    assert (prediction.low_on, prediction.high_on) == (date(2026, 4, 5), date(2026, 4, 15))


def test_a_company_without_history_predicts_due_dates():
    company = make_company()
    late = invoice(make_customer(company, "C1", "Dupont"), "F1", date(2026, 1, 2))
    record = services.train(company, TODAY).record
    prediction = Prediction.objects.get(model=record, invoice=late)
    assert (prediction.method, prediction.expected_on) == ("due_date", TODAY + timedelta(days=1))


@pytest.mark.parametrize(("days_ago", "every", "due"), [(None, 7, True), (6, 7, False),
                         (7, 7, True), (30, 0, False)])  # fmt: skip
def test_a_training_is_due_every_so_many_days(days_ago, every, due):
    company = make_company()
    if days_ago is not None:
        ForecastModel.objects.create(
            company=company,
            version=1,
            method="fallback",
            n_train=0,
            n_rows=0,
            trained_on=TODAY - timedelta(days=days_ago),
        )
    assert services.is_training_due(company, TODAY, every) is due


def test_the_backtest_on_the_ledger(portfolio):
    result = services.backtest_company(portfolio, TODAY - timedelta(days=120))
    assert result.method == "gradient_boosting"
    assert result.n_train > 300 and result.n_test > 50
    assert result.model < result.due_date
    narrow = services.backtest_company(portfolio, TODAY - timedelta(days=120), 30)
    assert narrow.n_test < result.n_test and narrow.n_train == result.n_train
