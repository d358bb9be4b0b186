"""Models -> relance.core.dunning records: what the planner needs, read set-based.

Every reader is one query (values_list, no model instances) so that the daily run on
hundreds of thousands of open items stays close to a bare read of them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum

from relance.core import dunning as core
from relance.core.money import round_money
from relance.ledger.models import Company, Customer, Payment

from .models import Hold, Promise, Reminder, Scenario

# Statuses whose moves count as given: queued, waiting for approval, or out of the door.
GIVEN = (
    Reminder.Status.AWAITING_APPROVAL,
    Reminder.Status.PENDING,
    Reminder.Status.SENDING,
    Reminder.Status.SENT,
    Reminder.Status.UNCERTAIN,
    Reminder.Status.FAILED,  # a person sees the failure; the step is not tried again daily
)


def scenarios(company: Company) -> tuple[list[core.Scenario], core.Policy]:
    rows = list(Scenario.objects.filter(company=company).prefetch_related("steps"))
    default = next((s for s in rows if s.is_default), None)
    if default is None:
        raise ValueError(f"{company.code} : aucun scénario par défaut (relance scenarios seed)")
    policy = core.Policy(
        default_scenario_id=default.pk,
        profile_scenarios={s.payer_profile: s.pk for s in rows if s.payer_profile},
    )
    return [to_core_scenario(s) for s in rows], policy


def to_core_scenario(scenario: Scenario) -> core.Scenario:
    steps = tuple(
        core.Step(
            level=step.level,
            name=step.name,
            offset_days=step.offset_days,
            min_gap_days=step.min_gap_days,
            channel=core.Channel(step.channel),
            min_amount=step.min_amount,
            needs_approval=step.needs_approval,
            mentions_penalties=step.mentions_penalties,
            escalation=core.Escalation(step.escalation),
        )
        for step in sorted(scenario.steps.all(), key=lambda s: s.level)
    )
    return core.Scenario(
        id=scenario.pk,
        name=scenario.name,
        steps=steps,
        send_thanks=scenario.send_thanks,
        is_silent=scenario.is_silent,
    )


def open_items(company: Company) -> list[core.Item]:
    """Every open item, read with one plain SQL query: the ORM's per-value converters cost
    more than the read itself on hundreds of thousands of rows (docs/performance.md)."""
    # SQLite hands decimals back as floats: read their text and make exact Decimals of it.
    amount = "CAST(open_amount AS TEXT)" if connection.vendor == "sqlite" else "open_amount"
    sql = (
        "SELECT id, customer_id, number, currency, issued_on, due_on, " + amount + ", "
        "is_credit, is_disputed, scenario_id FROM ledger_invoice "
        "WHERE company_id = %s AND open_amount > 0"
    )
    item, to_decimal = core.Item, Decimal
    with connection.cursor() as cursor:
        cursor.execute(sql, [company.pk])
        rows = cursor.fetchall()  # faster than iterating Django's cursor wrapper row by row
        return [
            item(pk, customer, number, currency, issued_on, due_on, to_decimal(open_amount),
                 is_credit, is_disputed, scenario)
            for pk, customer, number, currency, issued_on, due_on, open_amount, is_credit,
            is_disputed, scenario in rows
        ]  # fmt: skip


def credits(company: Company) -> list[core.Credit]:
    rows = (
        Payment.objects.filter(company=company, unallocated_amount__gt=0, customer__isnull=False)
        .values_list("customer_id", "currency")
        .annotate(total=Sum("unallocated_amount"))
    )
    # SUM comes back from SQLite with float noise: the one rounding function makes it cents.
    return [
        core.Credit(customer, currency, round_money(total)) for customer, currency, total in rows
    ]


def customers(company: Company) -> list[core.Customer]:
    rows = Customer.objects.filter(company=company).values_list(
        "pk", "code", "is_consumer", "payer_profile", "scenario_id", "is_handed_over"
    )
    return [core.Customer(*row) for row in rows]


def sent(company: Company) -> list[core.Sent]:
    """What each open item already received, from the outbox: its highest level and the date
    of its latest step (all the planner needs), aggregated by the database."""
    statuses = ", ".join("%s" for _ in GIVEN)
    # "[date]" makes SQLite convert MAX() back to a date (PARSE_COLNAMES); PostgreSQL keeps it.
    sql = (
        'SELECT ri.invoice_id, MAX(ri.moved_to_level), MAX(r.planned_on) AS "sent_on [date]" '
        "FROM dunning_reminderitem ri "
        "JOIN dunning_reminder r ON r.id = ri.reminder_id "
        "JOIN ledger_invoice i ON i.id = ri.invoice_id "
        "WHERE r.company_id = %s AND r.status IN (" + statuses + ") "
        "AND ri.moved_to_level IS NOT NULL AND i.open_amount > 0 "
        "GROUP BY ri.invoice_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [company.pk, *GIVEN])
        return [core.Sent(item, 0, level, on) for item, level, on in cursor.fetchall()]


def holds(company: Company, today: date) -> list[core.Hold]:
    rows = Hold.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), company=company, lifted_at__isnull=True
    ).values_list("customer_id", "invoice_id", "ends_on")
    return [core.Hold(*row) for row in rows]


def promises(company: Company) -> list[core.Promise]:
    open_promises = Promise.objects.filter(company=company, status=Promise.Status.OPEN)
    items: dict[int, set[int]] = defaultdict(set)
    for promise_id, invoice_id in open_promises.values_list("pk", "invoices"):
        if invoice_id is not None:
            items[promise_id].add(invoice_id)
    return [
        core.Promise(customer_id, frozenset(items[pk]), promised_on, amount or Decimal(0))
        for pk, customer_id, promised_on, amount in open_promises.values_list(
            "pk", "customer_id", "promised_on", "amount"
        )
    ]
