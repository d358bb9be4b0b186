"""Payment plans (échéanciers): the schedule, which instalments are paid, breach, completion,
and the instalment reminders of a day.

A plan covers some invoices; its instalments add up to the total they owed when the plan was
agreed. Payments are allocated to the invoices as usual, so what the customer paid on the plan
is derived, never stored: paid = covered total - what the invoices still owe today. Instalment
k is paid once paid >= the sum of instalments 1..k. Example: 900.00 in three instalments of
300.00; the invoices owe 500.00 today, so 400.00 is paid: the first instalment is paid, the
second is paid for 100.00 and still asks 200.00, the third asks 300.00.

An instalment still unpaid `grace_days` after its date breaks the plan: the whole balance is
due again and the invoices go back to their scenario. While the plan holds, its invoices are
not reminded (relance.core.dunning, Reason.PAYMENT_PLAN); its instalments are, a few days
before their date (NoticeKind.BEFORE) and once they are late (NoticeKind.OVERDUE), each at
most once.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from relance.core.calendar import BusinessCalendar
from relance.core.dunning import Channel, Escalation, Exclusion, Plan, PlannedReminder, Reason
from relance.core.money import round_money

ZERO = Decimal(0)
GRACE_DAYS = 15  # an instalment unpaid this many days after its date breaks the plan
NOTICE_DAYS = 5  # the courteous reminder, this many days before the instalment's date
OVERDUE_AFTER_DAYS = 3  # the reminder of a missed instalment, this many days after its date
# The fixed "échéancier" steps of instalment reminders (Reminder.level, Reminder.step_name).
BEFORE_LEVEL, BEFORE_STEP = 1, "Échéance à venir"
OVERDUE_LEVEL, OVERDUE_STEP = 2, "Échéance impayée"


class InstalmentStatus(StrEnum):
    PAID = "paid"
    UPCOMING = "upcoming"  # its date has not come
    DUE = "due"  # its date has come, within the grace period
    OVERDUE = "overdue"  # unpaid past the grace period: the plan is broken


class NoticeKind(StrEnum):
    BEFORE = "before"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Instalment:
    """One agreed payment of a plan; `id` is the database's (0 before it is saved)."""

    number: int
    due_on: date
    amount: Decimal
    id: int = 0


def add_months(day: date, months: int) -> date:
    """The same day `months` later, the month's last day when it has fewer (31 Jan -> 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def monthly_schedule(
    total: Decimal, count: int, first_on: date, calendar: BusinessCalendar | None = None
) -> tuple[Instalment, ...]:
    """`count` equal monthly instalments from `first_on`; the cents left over go on the last.
    With a `calendar`, each date falling on a weekend or public holiday moves to the next
    business day; the month after keeps the day agreed (see `on_business_days`).

    1000.00 in 3: 333.33, 333.33, 333.34."""
    if count < 1:
        raise ValueError("un échéancier compte au moins une échéance")
    if total <= ZERO:
        raise ValueError("le montant de l'échéancier doit être positif")
    share = round_money(total / count)
    if share * (count - 1) >= total:  # tiny totals: fewer cents than instalments
        raise ValueError("montant trop faible pour ce nombre d'échéances")
    amounts = [share] * (count - 1) + [total - share * (count - 1)]
    schedule = tuple(
        Instalment(number, add_months(first_on, number - 1), amount)
        for number, amount in enumerate(amounts, 1)
    )
    return on_business_days(schedule, calendar) if calendar else schedule


def on_business_days(
    instalments: Sequence[Instalment], calendar: BusinessCalendar
) -> tuple[Instalment, ...]:
    """Each instalment dated on a Saturday, Sunday or French public holiday moves to the next
    business day (the company's calendar: Alsace-Moselle adds Good Friday and 26 December):
    the debtor's bank cannot pay on a closed day, and a date nobody can meet would start the
    grace period early.

    15 August 2026 (a Saturday) -> Monday 17 August; 25 December 2026 (Friday, a holiday) ->
    Monday 28 December; 1 May 2027 (Saturday) -> Monday 3 May. Each date moves on its own,
    from the day agreed: a monthly plan on the 15th comes back to the 15th the month after."""
    return tuple(
        replace(instalment, due_on=calendar.next_business_day(instalment.due_on))
        for instalment in instalments
    )


def schedule_errors(instalments: Sequence[Instalment], covered: Decimal) -> list[str]:
    """What is wrong with a schedule (empty when it is sound): positive amounts, dates in
    order, numbers 1..n, and a total equal to the amount covered."""
    errors = []
    if not instalments:
        return ["un échéancier compte au moins une échéance"]
    if [i.number for i in instalments] != list(range(1, len(instalments) + 1)):
        errors.append("les échéances sont numérotées 1, 2, 3...")
    if any(i.amount <= ZERO for i in instalments):
        errors.append("chaque échéance a un montant positif")
    dates = [i.due_on for i in instalments]
    if dates != sorted(set(dates)):
        errors.append("les dates des échéances se suivent, sans doublon")
    total = sum((i.amount for i in instalments), ZERO)
    if total != covered:
        errors.append(f"les échéances totalisent {total}, l'échéancier couvre {covered}")
    return errors


def paid_amount(covered: Decimal, open_now: Decimal) -> Decimal:
    """What the plan's invoices received since the plan was agreed (never negative)."""
    return max(ZERO, covered - open_now)


def remaining(instalments: Sequence[Instalment], paid: Decimal) -> list[Decimal]:
    """What each instalment still asks, given `paid` (paid money goes to the earliest first)."""
    left, cumulative = [], ZERO
    for instalment in instalments:
        cumulative += instalment.amount
        left.append(min(instalment.amount, max(ZERO, cumulative - paid)))
    return left


def statuses(
    instalments: Sequence[Instalment], paid: Decimal, today: date, grace_days: int = GRACE_DAYS
) -> list[InstalmentStatus]:
    """The status of each instalment on `today`."""
    found = []
    for instalment, left in zip(instalments, remaining(instalments, paid), strict=True):
        if left <= ZERO:
            found.append(InstalmentStatus.PAID)
        elif today < instalment.due_on:
            found.append(InstalmentStatus.UPCOMING)
        elif today <= instalment.due_on + timedelta(days=grace_days):
            found.append(InstalmentStatus.DUE)
        else:
            found.append(InstalmentStatus.OVERDUE)
    return found


def is_broken(
    instalments: Sequence[Instalment], paid: Decimal, today: date, grace_days: int = GRACE_DAYS
) -> bool:
    """An instalment still unpaid `grace_days` after its date breaks the plan."""
    return InstalmentStatus.OVERDUE in statuses(instalments, paid, today, grace_days)


def is_completed(instalments: Sequence[Instalment], paid: Decimal) -> bool:
    """Every instalment is paid."""
    return all(left <= ZERO for left in remaining(instalments, paid))


# --- Instalment reminders ------------------------------------------------------------------


@dataclass(frozen=True)
class PlanState:
    """An active plan as the daily run sees it: its instalments, what its invoices owe now,
    its open invoices (the ones a reminder lists) and the notices it already received."""

    id: int
    customer_id: int
    currency: str
    covered: Decimal
    open_amount: Decimal
    instalments: tuple[Instalment, ...]
    item_ids: tuple[int, ...]
    given: frozenset[tuple[int, NoticeKind]] = frozenset()  # (instalment id, kind)


@dataclass(frozen=True)
class Notice:
    """An instalment to remind today, and what it still asks."""

    plan_id: int
    instalment: Instalment
    kind: NoticeKind
    amount: Decimal


def notices(
    plan: PlanState,
    today: date,
    grace_days: int = GRACE_DAYS,
    notice_days: int = NOTICE_DAYS,
    overdue_after_days: int = OVERDUE_AFTER_DAYS,
) -> list[Notice]:
    """The instalments of `plan` to remind today, each kind at most once per instalment.

    BEFORE from `notice_days` before the date up to the date itself (a late run still sends
    it on the day, never after: it would announce a date behind us); OVERDUE from
    `overdue_after_days` after the date until the grace ends (then the plan is broken)."""
    paid = paid_amount(plan.covered, plan.open_amount)
    found = []
    for instalment, left in zip(plan.instalments, remaining(plan.instalments, paid), strict=True):
        if left <= ZERO:
            continue
        kind = _notice_kind(instalment.due_on, today, grace_days, notice_days, overdue_after_days)
        if kind is not None and (instalment.id, kind) not in plan.given:
            found.append(Notice(plan.id, instalment, kind, left))
    return found


def _notice_kind(
    due_on: date, today: date, grace_days: int, notice_days: int, overdue_after_days: int
) -> NoticeKind | None:
    if due_on - timedelta(days=notice_days) <= today <= due_on:
        return NoticeKind.BEFORE
    if due_on + timedelta(days=overdue_after_days) <= today <= due_on + timedelta(days=grace_days):
        return NoticeKind.OVERDUE
    return None


@dataclass(frozen=True)
class InstalmentReminder:
    """One e-mail for a customer and currency listing the instalments to remind today; its
    `planned` reminder lists the plans' open invoices and asks the instalments' amounts."""

    planned: PlannedReminder
    notices: tuple[Notice, ...]


def instalment_reminders(
    plans: Iterable[PlanState], today: date, grace_days: int = GRACE_DAYS
) -> list[InstalmentReminder]:
    """Today's instalment reminders, one per customer and currency, sorted like the plan's."""
    by_account: dict[tuple[int, str], tuple[list[Notice], list[int]]] = {}
    for plan in plans:
        found = notices(plan, today, grace_days)
        if found:
            account = by_account.setdefault((plan.customer_id, plan.currency), ([], []))
            account[0].extend(found)
            account[1].extend(plan.item_ids)
    return [
        _reminder(key, found, item_ids, today)
        for key, (found, item_ids) in sorted(by_account.items())
    ]


def _reminder(
    key: tuple[int, str], found: list[Notice], item_ids: list[int], today: date
) -> InstalmentReminder:
    found.sort(key=lambda n: (n.instalment.due_on, n.plan_id, n.instalment.number))
    is_overdue = any(n.kind == NoticeKind.OVERDUE for n in found)
    planned = PlannedReminder(
        customer_id=key[0],
        currency=key[1],
        channel=Channel.EMAIL,
        scenario_id=None,
        level=OVERDUE_LEVEL if is_overdue else BEFORE_LEVEL,
        step_name=OVERDUE_STEP if is_overdue else BEFORE_STEP,
        moves=(),  # the invoices keep their own scenario's history untouched
        listed_item_ids=tuple(item_ids),
        amount=sum((n.amount for n in found), ZERO),
        overdue_amount=sum((n.amount for n in found if n.instalment.due_on < today), ZERO),
        needs_approval=False,
        mentions_penalties=False,
        escalation=Escalation.NONE,
    )
    return InstalmentReminder(planned, tuple(found))


def beside_instalments(plan: Plan, notices: Sequence[InstalmentReminder]) -> Plan:
    """Today's plan, with the instalment reminders last, and without the scenario e-mails of
    the customers (and currencies) that get an instalment e-mail today: two e-mails the same
    day for one debt would confuse the debtor. Their items are excluded for that reason and,
    having not moved, come again in the next run."""
    busy = {(n.planned.customer_id, n.planned.currency) for n in notices}
    kept, excluded = [], list(plan.excluded)
    for reminder in plan.reminders:
        key = (reminder.customer_id, reminder.currency)
        if key in busy and reminder.channel == Channel.EMAIL and reminder.scenario_id is not None:
            excluded.extend(
                Exclusion(reminder.customer_id, reminder.currency, move.item_id,
                          Reason.INSTALMENT_TODAY)
                for move in reminder.moves
            )  # fmt: skip
            continue
        kept.append(reminder)
    return Plan(tuple(kept) + tuple(n.planned for n in notices), tuple(excluded))
