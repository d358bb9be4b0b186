"""Models -> relance.core.plans records, read set-based (a few queries for all the active
plans of a company, whatever their number)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from relance.core import plans as core
from relance.core.money import round_money

from .models import Instalment, InstalmentNotice, PaymentPlan


def active_plans(company) -> list[core.PlanState]:
    """Every active plan of the company with its instalments, what its invoices owe now, its
    open invoices and the notices it already received."""
    plans = list(
        PaymentPlan.objects.filter(company=company, status=PaymentPlan.Status.ACTIVE).values_list(
            "pk", "customer_id", "currency", "covered_amount"
        )
    )
    return states(plans)


def states(plans: Iterable[tuple[int, int, str, Decimal]]) -> list[core.PlanState]:
    plans = list(plans)
    ids = [pk for pk, *_ in plans]
    instalments = _instalments(ids)
    open_amounts, item_ids = _open_items(ids)
    given: dict[int, set[tuple[int, core.NoticeKind]]] = defaultdict(set)
    for plan_id, instalment_id, kind in InstalmentNotice.objects.filter(
        instalment__plan_id__in=ids
    ).values_list("instalment__plan_id", "instalment_id", "kind"):
        given[plan_id].add((instalment_id, core.NoticeKind(kind)))
    return [
        core.PlanState(
            id=pk,
            customer_id=customer_id,
            currency=currency,
            covered=covered,
            open_amount=round_money(open_amounts.get(pk, Decimal(0))),
            instalments=tuple(instalments[pk]),
            item_ids=tuple(item_ids[pk]),
            given=frozenset(given[pk]),
        )
        for pk, customer_id, currency, covered in plans
    ]


def _instalments(plan_ids: list[int]) -> dict[int, list[core.Instalment]]:
    found: dict[int, list[core.Instalment]] = defaultdict(list)
    rows = Instalment.objects.filter(plan_id__in=plan_ids).order_by("plan_id", "number")
    for plan_id, pk, number, due_on, amount in rows.values_list(
        "plan_id", "pk", "number", "due_on", "amount"
    ):
        found[plan_id].append(core.Instalment(number, due_on, amount, pk))
    return found


def _open_items(plan_ids: list[int]) -> tuple[dict[int, Decimal], dict[int, list[int]]]:
    """What each plan's invoices owe now, and its open invoices in due-date order."""
    through = PaymentPlan.invoices.through.objects.filter(paymentplan_id__in=plan_ids)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    open_ids: dict[int, list[int]] = defaultdict(list)
    for plan_id, invoice_id, open_amount in through.order_by(
        "paymentplan_id", "invoice__due_on", "invoice__number"
    ).values_list("paymentplan_id", "invoice_id", "invoice__open_amount"):
        if open_amount > 0:
            totals[plan_id] += open_amount
            open_ids[plan_id].append(invoice_id)
    return totals, open_ids


def instalments_left(plans: Iterable[PaymentPlan]) -> dict[int, Decimal]:
    """What each instalment of `plans` still asks today (instalment id -> amount)."""
    rows = [(p.pk, p.customer_id, p.currency, p.covered_amount) for p in plans]
    left = {}
    for state in states(rows):
        paid = core.paid_amount(state.covered, state.open_amount)
        for instalment, amount in zip(
            state.instalments, core.remaining(state.instalments, paid), strict=True
        ):
            left[instalment.id] = amount
    return left
