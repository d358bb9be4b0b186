"""Webhooks: events written to an outbox in the transaction of the change they report.

`emit(company, event, payload)` and `emit_many(company, event, payloads)` (set-based: one read
of the company's endpoints, one insert of events, one of deliveries) are what the services
call. Nothing is written when no active endpoint of the company subscribed to the event; a
payload may be a callable, then built only when someone listens (no extra query otherwise).
The worker (or `relance webhooks deliver`) sends the deliveries (relance.api.webhooks.delivery).

The helpers below build each event's payload from the records the services already hold, so
the services each call them in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal

from relance.api.models import Event, WebhookDelivery, WebhookEndpoint, WebhookEvent

Payload = dict | Callable[[], dict]


def emit(company, event: str, payload: Payload) -> None:
    """Record `event` for every endpoint of `company` (a Company or its id) that wants it."""
    emit_many(company, event, [payload])


def emit_many(company, event: str, payloads: Iterable[Payload]) -> None:
    company_id = getattr(company, "pk", company)
    endpoints = listeners(company_id, event)
    if not endpoints:
        return
    events = WebhookEvent.objects.bulk_create(
        WebhookEvent(company_id=company_id, event=event, payload=_built(payload))
        for payload in payloads
    )
    WebhookDelivery.objects.bulk_create(
        (
            WebhookDelivery(event=row, endpoint_id=endpoint, next_attempt_at=row.created_at)
            for row in events
            for endpoint in endpoints
        ),
        batch_size=1000,
    )


def listeners(company_id: int, event: str) -> list[int]:
    """Ids of the company's active endpoints subscribed to `event` (few rows: the JSON list
    of events is read in Python, the same way on SQLite and PostgreSQL)."""
    rows = WebhookEndpoint.objects.filter(company_id=company_id, is_active=True).values_list(
        "pk", "events"
    )
    return [pk for pk, events in rows if event in (events or [])]


def _built(payload: Payload) -> dict:
    return jsonable(payload() if callable(payload) else payload)


def jsonable(value):
    """Decimals as strings with their cents, dates in ISO 8601, as the API answers them."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# --- The events the services report -------------------------------------------------------


def _customer(customer) -> dict | None:
    if customer is None:
        return None
    return {"code": customer.code, "name": customer.name}


def reminder_sent(reminder, status: str) -> None:
    """A reminder's history records "sent" (relance.dunning.sending.record_event): e-mail,
    SMS, a posted letter, a call or task done, an uncertain send confirmed."""
    if status != "sent":
        return
    emit(
        reminder.company_id,
        Event.REMINDER_SENT,
        lambda: {
            "reminder": reminder.pk,
            "customer": _customer(reminder.customer),
            "channel": reminder.channel,
            "level": reminder.level,
            "step": reminder.step_name,
            "currency": reminder.currency,
            "amount": reminder.amount,
            "overdue_amount": reminder.overdue_amount,
            "sent_at": reminder.sent_at,
            "subject": reminder.subject,
        },
    )


def _payment(payment, customer) -> dict:
    return {
        "payment": payment.pk,
        "customer": _customer(customer),
        "received_on": payment.received_on,
        "amount": payment.amount,
        "currency": payment.currency,
        "method": payment.method,
        "reference": payment.reference,
    }


def payment_received(payment) -> None:
    """One payment recorded (relance.ledger.services.record_payment)."""
    emit(
        payment.company_id,
        Event.PAYMENT_RECEIVED,
        lambda: _payment(payment, payment.customer),
    )


def payments_received(company, payment_ids: list[int]) -> None:
    """Payments written in bulk (bank matching): one read of them, only when someone
    listens."""
    company_id = getattr(company, "pk", company)
    if not payment_ids or not listeners(company_id, Event.PAYMENT_RECEIVED):
        return
    from relance.ledger.models import Payment

    payments = Payment.objects.filter(pk__in=payment_ids).select_related("customer")
    emit_many(
        company_id,
        Event.PAYMENT_RECEIVED,
        [_payment(payment, payment.customer) for payment in payments.order_by("pk")],
    )


def promise_made(promise, invoices) -> None:
    emit(
        promise.company_id,
        Event.PROMISE_MADE,
        lambda: {
            "promise": promise.pk,
            "customer": _customer(promise.customer),
            "promised_on": promise.promised_on,
            "amount": promise.amount,
            "currency": promise.currency,
            "channel": promise.channel,
            "invoices": [invoice.number for invoice in invoices],
        },
    )


def promises_broken(company, promises, paid: dict) -> None:
    """Promises the daily run decided broken (relance.dunning.promises), with what came in;
    read again in one query (with their customers) only when someone listens."""
    company_id = getattr(company, "pk", company)
    if not promises or not listeners(company_id, Event.PROMISE_BROKEN):
        return
    from relance.dunning.models import Promise

    rows = Promise.objects.filter(pk__in=[p.pk for p in promises]).select_related("customer")
    emit_many(
        company_id,
        Event.PROMISE_BROKEN,
        [
            {
                "promise": p.pk,
                "customer": _customer(p.customer),
                "promised_on": p.promised_on,
                "amount": p.amount,
                "paid_amount": paid.get(p.pk, Decimal(0)),
                "currency": p.currency,
            }
            for p in rows.order_by("pk")
        ],
    )


def _dispute(dispute) -> dict:
    return {
        "dispute": dispute.pk,
        "customer": _customer(dispute.customer),
        "invoice": dispute.invoice.number,
        "reason": dispute.reason,
        "amount": dispute.amount,
        "description": dispute.description,
    }


def dispute_opened(dispute) -> None:
    emit(dispute.company_id, Event.DISPUTE_OPENED, lambda: _dispute(dispute))


def dispute_resolved(dispute) -> None:
    emit(
        dispute.company_id,
        Event.DISPUTE_RESOLVED,
        lambda: {
            **_dispute(dispute),
            "resolution": dispute.resolution,
            "resolution_note": dispute.resolution_note,
        },
    )


def customer_blocked_by_hand(customer) -> None:
    """A person blocked the customer's new orders (the customer form, on a page or the API)."""
    emit(
        customer.company_id,
        Event.CUSTOMER_BLOCKED,
        lambda: {"customer": _customer(customer), "reason": "manual"},
    )


def customer_blocked(reminder, field: str, changed: bool) -> None:
    """An escalation blocked the customer's new orders (relance.dunning.escalation)."""
    if not changed or field != "is_blocked":
        return
    emit(
        reminder.company_id,
        Event.CUSTOMER_BLOCKED,
        lambda: {
            "customer": _customer(reminder.customer),
            "reason": "escalation",
            "reminder": reminder.pk,
            "step": reminder.step_name,
        },
    )
