"""Payment-date prediction, the records: what a company knew about its customers' payments on
a given day, indexed for the features (relance.core.forecast_features), the simple fallback
(relance.core.forecast_fallback) and the gradient-boosting model (relance.forecast.learning).

No leakage, by construction: `known_on(history, day)` is the only way to look at a history as
of a day. Items issued after it are gone, settlements after it are erased (the item was open
then), reminders sent and disputes opened after it are gone, and a dispute resolved after it
was still open. The features of an item at a moment `at` then read, from that knowledge, only
what happened strictly before `known_before` (at most the day after `at`).

An item is settled on the date of its last allocation once nothing is left open, as for every
"days to pay" in docs/kpis.md; its delay is the days from its due date to that date.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Item:
    """A debit item of the history: an invoice with when it was fully settled (None: open)."""

    id: int
    customer_id: int
    issued_on: date
    due_on: date
    amount: Decimal
    profile: str = ""
    paid_on: date | None = None

    @property
    def delay(self) -> int | None:
        """Days between the due date and the settlement (negative: paid early)."""
        return None if self.paid_on is None else (self.paid_on - self.due_on).days

    @property
    def days_to_pay(self) -> int | None:
        return None if self.paid_on is None else (self.paid_on - self.issued_on).days


@dataclass(frozen=True, slots=True)
class Reminded:
    """One item of a reminder sent (the same `reminder_id` for every item it listed)."""

    reminder_id: int
    customer_id: int
    item_id: int
    sent_on: date
    level: int


@dataclass(frozen=True, slots=True)
class Disputed:
    """A dispute on an item, open from `opened_on` until `resolved_on` (None: still open)."""

    customer_id: int
    item_id: int
    opened_on: date
    resolved_on: date | None = None


@dataclass(frozen=True, slots=True)
class History:
    items: tuple[Item, ...]
    reminders: tuple[Reminded, ...] = ()
    disputes: tuple[Disputed, ...] = ()


def known_on(history: History, day: date) -> History:
    """What was known at the end of `day`: items issued by then, settled only if settled by
    then; reminders sent by then; disputes opened by then, open if resolved after it."""
    return History(
        items=tuple(
            item if item.paid_on is None or item.paid_on <= day else replace(item, paid_on=None)
            for item in history.items
            if item.issued_on <= day
        ),
        reminders=tuple(r for r in history.reminders if r.sent_on <= day),
        disputes=tuple(
            d if d.resolved_on is None or d.resolved_on <= day else replace(d, resolved_on=None)
            for d in history.disputes
            if d.opened_on <= day
        ),
    )


@dataclass(frozen=True, slots=True)
class Settlement:
    paid_on: date
    delay: int
    days_to_pay: int
    amount: float


@dataclass(frozen=True, slots=True)
class Forecast:
    """A predicted settlement date with its range; `expected_on` None: no date can be told
    (the item is later than every known payment). `method` says who predicted it."""

    item_id: int
    expected_on: date | None
    low_on: date | None
    high_on: date | None
    method: str


class Knowledge:
    """A history indexed for the questions the features ask (settlements of a customer before
    a day, reminders of an item before a day...). Build it from `known_on(history, day)`."""

    def __init__(self, history: History) -> None:
        by_customer: dict[int, list[Settlement]] = defaultdict(list)
        by_profile: dict[str, list[Settlement]] = defaultdict(list)
        members: dict[str, set[int]] = defaultdict(set)
        for item in history.items:
            if item.paid_on is None:
                continue
            members[item.profile].add(item.customer_id)
            settled = Settlement(
                item.paid_on, item.delay or 0, item.days_to_pay or 0, float(item.amount)
            )
            by_customer[item.customer_id].append(settled)
            by_profile[item.profile].append(settled)
        self.settlements = {key: _by_date(rows) for key, rows in by_customer.items()}
        self.pools = {key: _by_date(rows) for key, rows in by_profile.items()}
        self.everyone = _by_date([s for rows in by_customer.values() for s in rows])
        self.members = {key: sorted(ids) for key, ids in members.items()}
        # What relance.core.forecast_reference computes once per pool and month.
        self.memo: dict[tuple[str | None, date], float] = {}
        self._days = {key: [s.paid_on for s in rows] for key, rows in self.settlements.items()}
        self._pool_days = {key: [s.paid_on for s in rows] for key, rows in self.pools.items()}
        self._everyone_days = [s.paid_on for s in self.everyone]
        # The delays alone, in the same order: read for every example, without copying
        # whole pools (a slice of the company's settlements copies them all).
        self._delays = {key: [s.delay for s in rows] for key, rows in self.settlements.items()}
        self._pool_delays = {key: [s.delay for s in rows] for key, rows in self.pools.items()}
        self._everyone_delays = [s.delay for s in self.everyone]
        self._reminders = _reminder_index(history.reminders)
        self._customer_reminders = _customer_reminder_index(history.reminders)
        self._disputes: dict[int, list[Disputed]] = defaultdict(list)
        for dispute in history.disputes:
            self._disputes[dispute.customer_id].append(dispute)

    def past(self, customer_id: int, before: date) -> Sequence[Settlement]:
        """The customer's settlements dated strictly before `before`, oldest first."""
        rows = self.settlements.get(customer_id, [])
        return rows[: bisect_left(self._days.get(customer_id, []), before)]

    def pool(self, profile: str | None, before: date) -> Sequence[Settlement]:
        """Every settlement of the profile (None: of the company) before `before`."""
        if profile is None:
            return self.everyone[: bisect_left(self._everyone_days, before)]
        rows = self.pools.get(profile, [])
        return rows[: bisect_left(self._pool_days.get(profile, []), before)]

    def delays(self, customer_id: int, before: date, last: int) -> list[int]:
        """The delays of the customer's `last` settlements before `before`, oldest first."""
        end = bisect_left(self._days.get(customer_id, []), before)
        return self._delays.get(customer_id, [])[max(0, end - last) : end]

    def pool_delays(self, profile: str | None, before: date, last: int) -> tuple[int, list[int]]:
        """How many settlements the profile (None: the company) has before `before`, and the
        delays of the `last` of them, oldest first."""
        if profile is None:
            days, delays = self._everyone_days, self._everyone_delays
        else:
            days, delays = self._pool_days.get(profile, []), self._pool_delays.get(profile, [])
        end = bisect_left(days, before)
        return end, delays[max(0, end - last) : end]

    def reminders(self, item_id: int, before: date) -> tuple[int, int]:
        """(count, highest level) of the reminders sent for the item before `before`."""
        rows = self._reminders.get(item_id, [])
        sent = rows[: bisect_left(rows, (before, -1))]
        return len(sent), max((level for _, level in sent), default=0)

    def customer_reminders(self, customer_id: int, since: date, before: date) -> int:
        days = self._customer_reminders.get(customer_id, [])
        return bisect_left(days, before) - bisect_left(days, since)

    def disputes(self, customer_id: int, item_id: int, at: date) -> tuple[int, bool]:
        """(the customer's disputes open at `at`, whether this item is one of them)."""
        open_now = [
            d
            for d in self._disputes.get(customer_id, [])
            if d.opened_on <= at and (d.resolved_on is None or d.resolved_on > at)
        ]
        return len(open_now), any(d.item_id == item_id for d in open_now)


def _by_date(rows: list[Settlement]) -> list[Settlement]:
    return sorted(rows, key=lambda s: s.paid_on)


def _reminder_index(reminders: Iterable[Reminded]) -> dict[int, list[tuple[date, int]]]:
    index: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for reminder in reminders:
        index[reminder.item_id].append((reminder.sent_on, reminder.level))
    return {key: sorted(rows) for key, rows in index.items()}


def _customer_reminder_index(reminders: Iterable[Reminded]) -> dict[int, list[date]]:
    """Each reminder once per customer, however many items it listed."""
    seen: dict[int, dict[int, date]] = defaultdict(dict)
    for reminder in reminders:
        seen[reminder.customer_id][reminder.reminder_id] = reminder.sent_on
    return {key: sorted(days.values()) for key, days in seen.items()}
