"""Models -> relance.core.dunning records: what the planner needs, read set-based.

Every reader is one query (no model instances) so that the daily run on hundreds of
thousands of open items stays close to a bare read of them. The run reads only the customers
with an item whose next step may be due (relance.dunning.state finds them by index) through
`customer_ids`, so a day's run plans those customers, not the whole ledger.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from relance.core import dunning as core
from relance.core.money import round_money
from relance.ledger.models import Company

from .disputes import WHOLE, disputed_amounts
from .models import Dispute, Hold, Promise, Reminder, Scenario

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


def open_items(company: Company, customer_ids: Sequence[int] | None = None) -> list[core.Item]:
    """Every open item (of `customer_ids` when given), read with one plain SQL query: the
    ORM's per-value converters cost more than the read itself on hundreds of thousands of rows
    (docs/performance.md)."""
    # SQLite hands decimals back as floats: read their text and make exact Decimals of it.
    amount = "CAST(i.open_amount AS TEXT)" if connection.vendor == "sqlite" else "i.open_amount"
    source, params = _rows_of("ledger_invoice i", "i.customer_id", company, customer_ids)
    sql = (
        "SELECT i.id, i.customer_id, i.number, i.currency, "
        + _date_text("i.issued_on")
        + ", "
        + _date_text("i.due_on")
        + ", "
        + amount
        + ", i.is_credit, i.is_disputed, i.scenario_id FROM "
        + source
        + "i.open_amount > 0"
    )
    item, to_decimal, to_date = core.Item, Decimal, _to_date()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()  # faster than iterating Django's cursor wrapper row by row
        items = [
            item(pk, customer, number, currency, to_date(issued_on), to_date(due_on),
                 to_decimal(open_amount), is_credit, is_disputed, scenario)
            for pk, customer, number, currency, issued_on, due_on, open_amount, is_credit,
            is_disputed, scenario in rows
        ]  # fmt: skip
    planned = in_active_plans(company)
    if planned:  # few items are in a plan: mark them rather than join every open item
        items = [i._replace(in_payment_plan=True) if i.id in planned else i for i in items]
    partly = partly_disputed(company)
    if partly:  # few items are disputed: the same
        items = [_undisputed_part(i, partly[i.id]) if i.id in partly else i for i in items]
    return items


def partly_disputed(company: Company) -> dict[int, Decimal]:
    """Invoices whose open disputes all contest part of them: id -> amount contested."""
    found = disputed_amounts(Dispute.objects.filter(company=company, status=Dispute.Status.OPEN))
    return {pk: amount for pk, amount in found.items() if amount is not WHOLE}


def _undisputed_part(item: core.Item, contested: Decimal) -> core.Item:
    """A partly disputed item is reminded for the rest (relance.dunning.disputes)."""
    rest = item.open_amount - contested
    if item.is_credit or rest <= 0:
        return item
    return item._replace(open_amount=rest, is_disputed=False)


def in_active_plans(company: Company) -> set[int]:
    """The invoices of the company's active payment plans (relance.plans): their instalments
    are reminded instead of them."""
    sql = (
        "SELECT pi.invoice_id FROM plans_paymentplan p "
        "JOIN plans_paymentplan_invoices pi ON pi.paymentplan_id = p.id "
        "WHERE p.company_id = %s AND p.status = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [company.pk, "active"])
        return {invoice_id for (invoice_id,) in cursor.fetchall()}


def _rows_of(
    table: str,
    column: str,
    company: Company,
    customer_ids: Sequence[int] | None,
    joins: str = "",
) -> tuple[str, list]:
    """The FROM clause reading `table` ("name alias") of the company, then `joins` (more
    "CROSS JOIN ..." tables), for `customer_ids` (every customer when None), ending where more
    WHERE conditions go ("... AND "), and its parameters. The ids are one parameter however
    many (a JSON array on SQLite, an array on PostgreSQL) and drive the query: the database
    reads each customer's rows by the customer index (SQLite keeps the order of a CROSS JOIN;
    the unary + keeps it off the company index, which would scan the company's rows once per
    customer; PostgreSQL plans `= ANY(array)` well by itself, given the array as bigint[]:
    psycopg sends small ids as smallint[], and the cross-type comparison then filters each
    row by a linear search of the array, 1 s for 20,000 customers instead of 2 ms)."""
    alias, table = table.split()[1], f"{table} {joins}".rstrip()
    if customer_ids is None:
        return f"{table} WHERE {alias}.company_id = %s AND ", [company.pk]
    if connection.vendor == "postgresql":  # its planner does the rest with = ANY(array)
        where = f"{column} = ANY(%s::bigint[]) AND {alias}.company_id = %s AND "
        return f"{table} WHERE {where}", [list(customer_ids), company.pk]
    where = f"{column} = j.value AND +{alias}.company_id = %s AND "
    return f"json_each(%s) AS j CROSS JOIN {table} WHERE {where}", [
        json.dumps(list(customer_ids)),
        company.pk,
    ]


def credits(company: Company, customer_ids: Sequence[int] | None = None) -> list[core.Credit]:
    """Money received and not yet allocated, per customer and currency."""
    source, params = _rows_of("ledger_payment p", "p.customer_id", company, customer_ids)
    sql = (
        "SELECT p.customer_id, p.currency, SUM(p.unallocated_amount) FROM "
        + source
        + "p.unallocated_amount > 0 AND p.customer_id IS NOT NULL "
        "GROUP BY p.customer_id, p.currency"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # SQLite sums as floats: the one rounding function makes exact cents of them.
    return [
        core.Credit(customer, currency, round_money(Decimal(str(total))))
        for customer, currency, total in rows
    ]


def customers(company: Company, customer_ids: Sequence[int] | None = None) -> list[core.Customer]:
    source, params = _rows_of("ledger_customer c", "c.id", company, customer_ids)
    sql = (
        "SELECT c.id, c.code, c.is_consumer, c.payer_profile, c.scenario_id, c.is_handed_over "
        "FROM " + source + "TRUE"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [core.Customer(*row) for row in cursor.fetchall()]


def languages(company: Company, customer_ids: Sequence[int]) -> dict[int, tuple[str, bool]]:
    """(language, is_consumer) of each customer: what the reminders written for them need."""
    source, params = _rows_of("ledger_customer c", "c.id", company, customer_ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.id, c.language, c.is_consumer FROM " + source + "TRUE", params)
        return {pk: (language, is_consumer) for pk, language, is_consumer in cursor.fetchall()}


def sent(
    company: Company,
    customer_ids: Sequence[int] | None = None,
    *,
    item_ids: Sequence[int] | None = None,
) -> list[core.Sent]:
    """What each open item already received, from the outbox: its highest level and the date
    of its latest step (all the planner needs), aggregated by the database. For the open items
    of `customer_ids` (every customer when None), or for `item_ids` (open items already read):
    the item index then drives the read, where PostgreSQL, given the customers, scanned the
    whole reminder history to join it."""
    statuses = ", ".join("%s" for _ in GIVEN)
    if item_ids is not None:
        source, params = _items_of(item_ids)
        where = ""
    else:
        source, params = _rows_of(
            "ledger_invoice i",
            "i.customer_id",
            company,
            customer_ids,
            joins="CROSS JOIN dunning_reminderitem ri CROSS JOIN dunning_reminder r",
        )
        where = "i.open_amount > 0 AND ri.invoice_id = i.id AND "
    sql = (
        "SELECT ri.invoice_id, MAX(ri.moved_to_level), "
        "MAX(COALESCE(ri.moved_on, r.planned_on)) "
        "FROM " + source + where + "ri.moved_to_level IS NOT NULL AND r.id = ri.reminder_id "
        "AND r.status IN (" + statuses + ") GROUP BY ri.invoice_id"
    )  # fmt: skip
    sent, to_date = core.Sent, _to_date()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *GIVEN])
        return [sent(item, 0, level, to_date(on)) for item, level, on in cursor.fetchall()]


def _items_of(item_ids: Sequence[int]) -> tuple[str, list]:
    """FROM the reminder items of `item_ids` and their reminders, ending where more WHERE
    conditions go; the ids as one parameter (see _rows_of)."""
    tables = "dunning_reminderitem ri CROSS JOIN dunning_reminder r"
    if connection.vendor == "postgresql":
        return f"{tables} WHERE ri.invoice_id = ANY(%s::bigint[]) AND ", [list(item_ids)]
    return f"json_each(%s) AS j CROSS JOIN {tables} WHERE ri.invoice_id = j.value AND ", [
        json.dumps(list(item_ids))
    ]


def _date_text(column: str) -> str:
    """A date column as SQLite's text, made a date by `_to_date` (PostgreSQL gives dates)."""
    return f"CAST({column} AS TEXT)" if connection.vendor == "sqlite" else column


def _to_date() -> Callable:
    """Text -> date on SQLite, in C (date.fromisoformat): Django's converter, a regular
    expression per value, cost more than the read of a large run's items; PostgreSQL's
    driver already gives dates."""
    return date.fromisoformat if connection.vendor == "sqlite" else _same


def _same(value):
    return value


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
