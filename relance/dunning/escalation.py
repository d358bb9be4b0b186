"""What a step's escalation does once its reminder has gone out (or its call or task is done):
the formal notice is then on record (relance.legal reads the sent formal notices: a consumer
owes interest from that day, Code civil 1344-1); handing over to collection stops amicable
reminders (Customer.is_handed_over, an exclusion of the planner); blocking new orders sets
Customer.is_blocked for sales. Applied once, when the reminder becomes "sent", whatever sent it
(the worker, a posted letter, a call or task marked done, a person confirming an uncertain
send); a person may lift the state afterwards in the customer file, and it is not set again
until another such step goes out."""

from __future__ import annotations

from relance.api import webhooks
from relance.core.dunning import Escalation
from relance.ledger.models import Customer, Invoice

from .models import Reminder, ReminderEvent
from .state import forget_invoices_of

CUSTOMER_FLAGS = {
    Escalation.COLLECTION.value: ("is_handed_over", "escalade : client transmis au contentieux"),
    Escalation.BLOCK_ORDERS.value: ("is_blocked", "escalade : nouvelles commandes bloquées"),
}


def apply_escalation(reminder: Reminder, user=None) -> bool:
    """Apply the escalation of a reminder that just went out; True when it changed the
    customer (and the history says so)."""
    flag = CUSTOMER_FLAGS.get(reminder.escalation)
    if flag is None:
        return False
    field, note = flag
    changed = Customer.objects.filter(pk=reminder.customer_id, **{field: False}).update(
        **{field: True}
    )
    webhooks.customer_blocked(reminder, field, bool(changed))  # customer.blocked
    if changed and field == "is_handed_over":
        # Its items are planned again by the next run, which reports them handed over.
        forget_invoices_of(Invoice.objects.filter(customer_id=reminder.customer_id))
    if changed:
        ReminderEvent.objects.create(
            reminder_id=reminder.pk, status=Reminder.Status.SENT, note=note, user=user
        )
    return bool(changed)
