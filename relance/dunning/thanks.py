"""The thank-you message (issue 3): when a customer who was reminded has paid everything.

`thank_if_settled` is called by the ledger each time an allocation settles an invoice
(relance.ledger.services.allocate, a lazy import: the ledger does not depend on dunning at
import time). It writes one pending email Reminder, "Remerciement", level 0, amount 0,
rendered with `render_thanks`, when:

- the customer's net balance in that currency is zero or less (open debit items minus credit
  items and unallocated payments, relance.core.ledger);
- the customer received a reminder (status sent) in that currency since the last thank-you
  (or ever, when none was written);
- the scenario of that last sent reminder has `send_thanks` (on by default; a reminder whose
  scenario was deleted keeps the default).

Idempotent: once written, the thank-you is "the last thank-you", so a second settlement
writes nothing until a new reminder has been sent. The check and the write happen in one
transaction under a lock on the customer row (PostgreSQL), so two payments settling at once
write one thank-you.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from relance.ledger.models import Customer
from relance.ledger.services import position_of

from .models import Reminder, ReminderEvent
from .render import render_thanks

THANKS_STEP = "Remerciement"
THANKS_LEVEL = 0
THANKS_EVENT = "remerciement"

Status = Reminder.Status


def thank_if_settled(customer: Customer, currency: str, today: date) -> Reminder | None:
    """Write the thank-you reminder if it is due (see the module docstring); else None."""
    if not _sent_reminders(customer, currency).exists():  # cheap: most payers were not reminded
        return None
    with transaction.atomic():
        # Serialises concurrent settlements of the same customer (a no-op on SQLite, where
        # writers are serialised anyway).
        Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk").first()
        if position_of(customer, today, currency).balance > 0:
            return None
        last = _last_reminder_since_thanks(customer, currency)
        if last is None:
            return None
        if last.scenario is not None and not last.scenario.send_thanks:
            return None
        return _write(customer, currency, today, last)


def _sent_reminders(customer: Customer, currency: str):
    return Reminder.objects.filter(
        customer=customer, currency=currency, status=Status.SENT
    ).exclude(step_name=THANKS_STEP, level=THANKS_LEVEL)


def _last_reminder_since_thanks(customer: Customer, currency: str) -> Reminder | None:
    """The last sent reminder written after the last thank-you (ids, not clocks: the
    sender may record another time than the database's)."""
    thanks = (
        Reminder.objects.filter(
            customer=customer, currency=currency, step_name=THANKS_STEP, level=THANKS_LEVEL
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    reminded = _sent_reminders(customer, currency)
    if thanks is not None:
        reminded = reminded.filter(pk__gt=thanks)
    return reminded.select_related("scenario").order_by("-pk").first()


def _write(customer: Customer, currency: str, today: date, last: Reminder) -> Reminder:
    reminder = Reminder.objects.create(
        company_id=customer.company_id,
        customer=customer,
        scenario=last.scenario,
        level=THANKS_LEVEL,
        step_name=THANKS_STEP,
        channel="email",
        language=last.language,
        currency=currency,
        amount=0,
        overdue_amount=0,
        status=Status.PENDING,
        planned_on=today,
        recipients=last.recipients,
    )
    # Rendered once saved: the context reads the reminder's (empty) list of items.
    reminder.subject, reminder.body_text, reminder.body_html = render_thanks(reminder)
    reminder.save(update_fields=["subject", "body_text", "body_html"])
    ReminderEvent.objects.create(reminder=reminder, status=Status.PENDING, note=THANKS_EVENT)
    return reminder
