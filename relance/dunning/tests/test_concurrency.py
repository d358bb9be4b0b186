"""Several workers share one PostgreSQL outbox: each reminder is sent exactly once.

PostgreSQL only: SQLite serialises writers (one file), so its conditional UPDATE is covered
by the claiming tests in test_sending.py; workers on several machines need PostgreSQL.

The acceptance figure of issue 3, 10,000 reminders, takes about 30 s on a 2-core machine
(workers claim batches of 20 and re-check a batch in a few queries).
"""

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from relance.dunning import sending
from relance.dunning.channels import Delivery
from relance.dunning.models import Reminder, ReminderEvent, ReminderItem
from relance.dunning.tests.test_sending import NOW, TODAY, make_company, make_customer
from relance.ledger.models import Invoice

REMINDERS = 10_000  # issue 3 acceptance
WORKERS = 4

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several workers need PostgreSQL"),
]


class CountingChannel:
    """Shared by every worker: records each reminder it is asked to send."""

    def __init__(self):
        self.lock, self.sent = threading.Lock(), []

    def send(self, reminder):
        with self.lock:
            self.sent.append(reminder.pk)
        return Delivery(note="compté")

    def close(self):
        pass


def make_outbox(count):
    company = make_company("CONC")
    customers = [make_customer(company, f"C{n}") for n in range(20)]
    invoices = Invoice.objects.bulk_create(
        Invoice(company=company, customer=customers[n % 20], number=f"F{n}", issued_on=TODAY,
                due_on=TODAY - timedelta(10), amount=Decimal("10.00"),
                open_amount=Decimal("10.00"))
        for n in range(count)
    )  # fmt: skip
    reminders = Reminder.objects.bulk_create(
        Reminder(company=company, customer=invoice.customer, level=1, step_name="Relance",
                 channel="email", currency="EUR", amount=Decimal("10.00"),
                 overdue_amount=Decimal("10.00"), status="pending", planned_on=TODAY,
                 recipients=[{"email": "a@b.fr", "name": "", "kind": "to"}], subject="Relance")
        for invoice in invoices
    )  # fmt: skip
    ReminderItem.objects.bulk_create(
        ReminderItem(reminder=reminder, invoice=invoice, open_amount=Decimal("10.00"),
                     moved_to_level=1)
        for reminder, invoice in zip(reminders, invoices, strict=True)
    )  # fmt: skip
    return {reminder.pk for reminder in reminders}


def test_four_workers_send_ten_thousand_reminders_each_exactly_once():
    check_workers_send_each_exactly_once(REMINDERS)


def check_workers_send_each_exactly_once(count):
    expected = make_outbox(count)
    channel, errors, start = CountingChannel(), [], threading.Barrier(WORKERS)

    def work(worker_id):
        try:
            start.wait()
            sending.send_pending(worker_id, NOW, channel=channel)
        except Exception as error:  # reported below: a thread's exception would be lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Counter(channel.sent).most_common(1)[0][1] == 1
    assert set(channel.sent) == expected
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    sent_events = ReminderEvent.objects.filter(status="sent").values_list("reminder", flat=True)
    assert Counter(sent_events) == Counter(expected)
    # Every worker took a share: the claims really ran side by side.
    assert len(set(Reminder.objects.values_list("claimed_by", flat=True))) == WORKERS
