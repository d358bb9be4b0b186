"""The dunning planner: which reminders today's run creates, and why the others are not created.

`plan` is a pure function of the open items, the scenarios, what each item already received,
the holds, the promises, the calendar and `today`. It walks every item once (linear in the
number of open items) and returns a `Plan`; the dunning service writes it to the outbox and
records the `moves` as history once they are sent (or queued: see `Sent`).

Rules (DESIGN.md, "Dunning engine"): an item moves to the lowest step it has not had once that
step's date has come, one step per run, never skipping one; the minimum gap since the previous
step holds; no step on a weekend or public holiday (a step whose date, or whose gap's end,
falls on one waits for the next business day); one message per customer, currency and channel
lists every open item and nets the credits; paid, disputed, promised, held, planned, automatic
and handed-over items are left out with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from relance.core.calendar import BusinessCalendar
from relance.core.ledger import AccountPosition, account_position
from relance.core.records import PayerProfile

ZERO = Decimal(0)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"
    REGISTERED_LETTER = "registered_letter"
    CALL = "call"  # a task for a collector, with an outcome code
    TASK = "task"  # any other internal task (check an invoice, post on Chorus Pro)


class Escalation(StrEnum):
    """What the app does once the step is sent, besides sending it."""

    NONE = ""
    FORMAL_NOTICE = "formal_notice"  # Code civil 1344: the items are marked "mis en demeure"
    COLLECTION = "collection"  # the customer is handed over (dossier contentieux)
    BLOCK_ORDERS = "block_orders"  # sales are told not to take new orders


class Reason(StrEnum):
    """Why an item (or a whole customer account) whose step had come was not reminded."""

    PAID = "paid"
    DISPUTED = "disputed"
    PROMISED = "promised"
    ON_HOLD = "on_hold"
    PAYMENT_PLAN = "payment_plan"
    AUTOMATIC_PAYER = "automatic_payer"
    UNDER_MINIMUM = "under_minimum"
    HANDED_OVER = "handed_over"
    MIN_GAP = "min_gap"  # no longer produced: a step within its gap is simply not due yet
    CREDIT_BALANCE = "credit_balance"
    # An instalment of the customer's payment plan is reminded by e-mail the same day: one
    # message a day; the step goes out with the next run.
    INSTALMENT_TODAY = "instalment_today"


@dataclass(frozen=True)
class Step:
    """One step of a scenario; its date is due_on + offset_days, moved to a business day."""

    level: int
    name: str
    offset_days: int  # negative: courteous reminder before the due date ("prévenance")
    min_gap_days: int  # since the previous step given to the same item
    channel: Channel
    min_amount: Decimal  # compared with the customer's net balance in the currency
    needs_approval: bool
    mentions_penalties: bool  # L441-10 interest and the D441-5 40 EUR indemnity (B2B only)
    escalation: Escalation = Escalation.NONE


@dataclass(frozen=True)
class Scenario:
    """An ordered plan of steps; a silent scenario (automatic payers) never reminds."""

    id: int
    name: str
    steps: tuple[Step, ...]
    send_thanks: bool = True
    is_silent: bool = False

    def __post_init__(self) -> None:
        levels = [step.level for step in self.steps]
        if levels != sorted(set(levels)):
            raise ValueError(f"scenario {self.name!r}: step levels must be strictly increasing")


class Item(NamedTuple):
    """An open item; `open_amount` is positive on both sides, `is_credit` says which side.

    A NamedTuple rather than a frozen dataclass like the other records: the run builds one
    per open item (hundreds of thousands) and a tuple is built several times faster."""

    id: int
    customer_id: int
    number: str
    currency: str
    issued_on: date
    due_on: date
    open_amount: Decimal
    is_credit: bool
    is_disputed: bool = False
    scenario_id: int | None = None  # the invoice's own scenario, over the customer's
    in_payment_plan: bool = False  # its instalments are reminded instead


@dataclass(frozen=True)
class Credit:
    """Money received from a customer and not yet allocated to an item."""

    customer_id: int
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class Customer:
    id: int
    code: str
    is_consumer: bool
    payer_profile: str
    scenario_id: int | None = None
    is_handed_over: bool = False


@dataclass(frozen=True)
class Sent:
    """A step an item already received: sent, or still in the outbox (so a re-run adds nothing)."""

    item_id: int
    scenario_id: int
    level: int
    sent_on: date


@dataclass(frozen=True)
class Hold:
    """No reminders for a customer (item_id None) or one item, up to `until` included."""

    customer_id: int
    item_id: int | None
    until: date | None  # None: until someone lifts it


@dataclass(frozen=True)
class Promise:
    """A promise to pay; it pauses its items (all the customer's when empty) until the date
    plus the grace period, then a broken promise resumes at the next step."""

    customer_id: int
    item_ids: frozenset[int]
    promised_on: date
    amount: Decimal


@dataclass(frozen=True)
class Policy:
    """Company settings: scenarios per payer profile, the default one, the promise grace."""

    default_scenario_id: int
    profile_scenarios: Mapping[str, int] = field(default_factory=dict)
    promise_grace_days: int = 3


@dataclass(frozen=True)
class Move:
    """An item moving to a step: the history row to record once the reminder goes out."""

    item_id: int
    scenario_id: int
    level: int


@dataclass(frozen=True)
class PlannedReminder:
    """One message for a customer, currency and channel, at the highest step of its moves.

    `listed_item_ids` are the open items the message shows (overdue first, then not yet due,
    then credit notes); disputed, held, promised and planned items are left out of the list and
    of `amount`, which nets credit notes and unallocated payments.
    """

    customer_id: int
    currency: str
    channel: Channel
    scenario_id: int | None  # None: an instalment reminder (relance.core.plans)
    level: int
    step_name: str
    moves: tuple[Move, ...]
    listed_item_ids: tuple[int, ...]
    amount: Decimal
    overdue_amount: Decimal
    needs_approval: bool
    mentions_penalties: bool
    escalation: Escalation

    @property
    def item_ids(self) -> tuple[int, ...]:
        """The items that moved to a new step with this message."""
        return tuple(move.item_id for move in self.moves)


@dataclass(frozen=True)
class Exclusion:
    """A customer account (item_id None) or an item whose step had come but was not reminded."""

    customer_id: int
    currency: str
    item_id: int | None
    reason: Reason


@dataclass(frozen=True)
class Plan:
    reminders: tuple[PlannedReminder, ...]
    excluded: tuple[Exclusion, ...]


def plan(
    items: Iterable[Item],
    credits: Iterable[Credit],
    customers: Iterable[Customer],
    scenarios: Iterable[Scenario],
    sent: Iterable[Sent],
    holds: Iterable[Hold],
    promises: Iterable[Promise],
    calendar: BusinessCalendar,
    policy: Policy,
    today: date,
) -> Plan:
    """Today's reminders, sorted by customer, currency and channel, and the exclusions."""
    run = _Run(customers, scenarios, sent, holds, promises, calendar, policy, today)
    accounts: dict[tuple[int, str], list[Item]] = {}
    for item in items:
        accounts.setdefault((item.customer_id, item.currency), []).append(item)
    unallocated: dict[tuple[int, str], Decimal] = {}
    for credit in credits:
        key = (credit.customer_id, credit.currency)
        unallocated[key] = unallocated.get(key, ZERO) + credit.amount
    reminders: list[PlannedReminder] = []
    excluded: list[Exclusion] = []
    for key in sorted(accounts.keys() | unallocated.keys()):
        account = _Account(run, run.customer(key[0]), key[1], accounts.get(key, []))
        account.plan(unallocated.get(key, ZERO), reminders, excluded)
    return Plan(tuple(reminders), tuple(excluded))


_Candidate = tuple[Item, Scenario, Step]


class _Run:
    """The inputs of one run, indexed once so that each item costs a few dict lookups."""

    def __init__(
        self,
        customers: Iterable[Customer],
        scenarios: Iterable[Scenario],
        sent: Iterable[Sent],
        holds: Iterable[Hold],
        promises: Iterable[Promise],
        calendar: BusinessCalendar,
        policy: Policy,
        today: date,
    ) -> None:
        self.customers = {customer.id: customer for customer in customers}
        self.scenarios = {scenario.id: scenario for scenario in scenarios}
        self.calendar, self.policy, self.today = calendar, policy, today
        self.last_sent = last_steps(sent)
        self.holds: dict[int, list[Hold]] = {}
        for hold in holds:
            if hold.until is None or hold.until >= today:
                self.holds.setdefault(hold.customer_id, []).append(hold)
        grace = timedelta(days=policy.promise_grace_days)
        self.promises: dict[int, list[Promise]] = {}
        for promise in promises:
            if promise.promised_on + grace >= today:
                self.promises.setdefault(promise.customer_id, []).append(promise)
        self._step_dates: dict[tuple[date, int], date] = {}
        # No step is dated on a weekend or a public holiday: neither a step's own date nor the
        # day its minimum gap ends, so a run on such a day moves nothing (and, nothing being
        # due, excludes nothing); what was due goes to the next business day's run.
        self.is_business_day = calendar.is_business_day(today)

    def customer(self, customer_id: int) -> Customer:
        try:
            return self.customers[customer_id]
        except KeyError:
            raise ValueError(f"open items of unknown customer {customer_id}") from None

    def scenario_of(self, item: Item, customer: Customer) -> Scenario:
        """Invoice override > customer override > payer-profile scenario > company default."""
        scenario_id = scenario_id_of(item, customer, self.policy)
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            raise ValueError(f"item {item.number}: unknown scenario {scenario_id}") from None

    def step_on(self, due_on: date, offset_days: int) -> date:
        """The step's date, moved off weekends and public holidays (memoised per run)."""
        key = (due_on, offset_days)
        found = self._step_dates.get(key)
        if found is None:
            found = self.calendar.next_business_day(due_on + timedelta(days=offset_days))
            self._step_dates[key] = found
        return found

    def due_step(self, item: Item, scenario: Scenario) -> Step | None:
        """The lowest step the item has not had, if its date has come, the minimum gap since
        the item's previous step has passed, and the item did not move today. A courteous
        pre-due step lapses once the due date has passed: it would announce a due date that
        is behind us."""
        level, last_on = self.last_sent.get(item.id, (0, None))
        if last_on is not None and last_on >= self.today:
            return None  # one step per item per day: running a date twice adds nothing
        if not self.is_business_day:
            return None  # moved to the next business day (see __init__)
        for step in scenario.steps:
            if step.level <= level or (step.offset_days < 0 and item.due_on < self.today):
                continue
            if self.step_on(item.due_on, step.offset_days) > self.today:
                return None
            if last_on is not None and last_on + timedelta(days=step.min_gap_days) > self.today:
                return None  # the gap holds: the step comes when it has passed
            return step
        return None

    def is_customer_held(self, customer_id: int) -> bool:
        return any(hold.item_id is None for hold in self.holds.get(customer_id, ()))

    def pause_reason(self, item: Item) -> Reason | None:
        """Why an item is neither reminded nor asked for, or None."""
        if item.open_amount <= ZERO:
            return Reason.PAID
        if item.is_disputed:
            return Reason.DISPUTED
        if item.in_payment_plan:
            return Reason.PAYMENT_PLAN
        if any(hold.item_id == item.id for hold in self.holds.get(item.customer_id, ())):
            return Reason.ON_HOLD
        for promise in self.promises.get(item.customer_id, ()):
            if not promise.item_ids or item.id in promise.item_ids:
                return Reason.PROMISED
        return None


def scenario_id_of(item: Item, customer: Customer, policy: Policy) -> int:
    """The scenario an item follows: invoice override > customer override > payer-profile
    scenario > company default."""
    scenario_id = item.scenario_id
    if scenario_id is None:
        scenario_id = customer.scenario_id
    if scenario_id is None:
        scenario_id = policy.profile_scenarios.get(customer.payer_profile)
    if scenario_id is None:
        scenario_id = policy.default_scenario_id
    return scenario_id


def last_steps(sent: Iterable[Sent]) -> dict[int, tuple[int, date]]:
    """The highest level each item reached and the date of its latest step, in one pass.

    Levels count across scenarios: an item whose scenario changes carries on from its level
    instead of starting again with the courteous reminder."""
    last_steps: dict[int, tuple[int, date]] = {}
    for row in sent:
        last = last_steps.get(row.item_id)
        if last is None or (row.level >= last[0] and row.sent_on >= last[1]):
            last_steps[row.item_id] = (row.level, row.sent_on)
        elif row.level > last[0] or row.sent_on > last[1]:
            last_steps[row.item_id] = (max(row.level, last[0]), max(row.sent_on, last[1]))
    return last_steps


class _Account:
    """The open items of one customer in one currency, in the order a message lists them."""

    def __init__(self, run: _Run, customer: Customer, currency: str, items: list[Item]) -> None:
        self.run, self.customer, self.currency = run, customer, currency
        today = run.today
        self.items = sorted(
            items, key=lambda i: (i.is_credit, i.due_on >= today, i.due_on, i.number, i.id)
        )

    def plan(
        self, unallocated: Decimal, reminders: list[PlannedReminder], excluded: list[Exclusion]
    ) -> None:
        candidates = self._candidates(excluded)
        if not candidates:
            return
        reason = self._account_reason()
        if reason is not None:
            excluded.append(Exclusion(self.customer.id, self.currency, None, reason))
            return
        paused = {item.id: r for item in self.items if (r := self.run.pause_reason(item))}
        for item, _, _ in candidates:
            if item.id in paused:
                excluded.append(self._exclusion(item, paused[item.id]))
        candidates = [c for c in candidates if c[0].id not in paused]
        if not candidates:
            return
        listed = [item for item in self.items if item.id not in paused]
        position = self._position(listed, unallocated)
        if position.balance <= ZERO:
            excluded.append(Exclusion(self.customer.id, self.currency, None, Reason.CREDIT_BALANCE))
            return
        moved = self._moved(candidates, position.balance, excluded)
        reminders.extend(self._reminders(moved, listed, position))

    def _exclusion(self, item: Item, reason: Reason) -> Exclusion:
        return Exclusion(self.customer.id, self.currency, item.id, reason)

    def _candidates(self, excluded: list[Exclusion]) -> list[_Candidate]:
        """Debit items whose next step has come; overdue items of automatic payers are noted."""
        run, found = self.run, []
        for item in self.items:
            if item.is_credit:
                continue
            scenario = run.scenario_of(item, self.customer)
            if scenario.is_silent:
                if item.due_on < run.today and item.open_amount > ZERO:
                    excluded.append(self._exclusion(item, Reason.AUTOMATIC_PAYER))
                continue
            step = run.due_step(item, scenario)
            if step is not None:
                found.append((item, scenario, step))
        return found

    def _account_reason(self) -> Reason | None:
        if self.customer.is_handed_over:
            return Reason.HANDED_OVER
        if self.run.is_customer_held(self.customer.id):
            return Reason.ON_HOLD
        return None

    def _position(self, listed: list[Item], unallocated: Decimal) -> AccountPosition:
        debit = credit = overdue = ZERO
        for item in listed:
            if item.is_credit:
                credit += item.open_amount
            else:
                debit += item.open_amount
                if item.due_on < self.run.today:
                    overdue += item.open_amount
        return account_position(debit, credit, unallocated, overdue)

    def _moved(
        self, candidates: list[_Candidate], balance: Decimal, excluded: list[Exclusion]
    ) -> list[_Candidate]:
        moved = []
        for item, scenario, step in candidates:
            if balance < step.min_amount:
                excluded.append(self._exclusion(item, Reason.UNDER_MINIMUM))
            else:
                moved.append((item, scenario, step))
        return moved

    def _reminders(
        self, moved: list[_Candidate], listed: list[Item], position: AccountPosition
    ) -> list[PlannedReminder]:
        by_channel: dict[Channel, list[_Candidate]] = {}
        for candidate in moved:
            by_channel.setdefault(candidate[2].channel, []).append(candidate)
        listed_ids = tuple(item.id for item in listed)
        return [
            self._reminder(channel, by_channel[channel], listed_ids, position)
            for channel in sorted(by_channel)
        ]

    def _reminder(
        self,
        channel: Channel,
        moved: list[_Candidate],
        listed_ids: tuple[int, ...],
        position: AccountPosition,
    ) -> PlannedReminder:
        _, scenario, top = max(moved, key=lambda c: (c[2].level, c[1].id))
        return PlannedReminder(
            customer_id=self.customer.id,
            currency=self.currency,
            channel=channel,
            scenario_id=scenario.id,
            level=top.level,
            step_name=top.name,
            moves=tuple(Move(item.id, s.id, step.level) for item, s, step in moved),
            listed_item_ids=listed_ids,
            amount=position.balance,
            overdue_amount=position.overdue,
            needs_approval=any(step.needs_approval for _, _, step in moved),
            # Consumers owe neither L441-10 penalties nor the D441-5 indemnity.
            mentions_penalties=top.mentions_penalties and not self.customer.is_consumer,
            escalation=top.escalation,
        )


def default_scenarios() -> dict[PayerProfile, Scenario]:
    """The editable scenarios seeded for each payer profile; ids 1-7 are local to this map
    (the app gives them database ids when it seeds them)."""
    scenarios = {}
    for number, (profile, name, steps) in enumerate(_DEFAULTS, 1):
        numbered = tuple(replace(step, level=level) for level, step in enumerate(steps, 1))
        is_silent = not steps
        scenarios[profile] = Scenario(number, name, numbered, not is_silent, is_silent)
    return scenarios


def _s(
    name: str,
    offset_days: int,
    min_gap_days: int,
    channel: Channel,
    min_amount: str = "0",
    *,
    approval: bool = False,
    penalties: bool = False,
    escalation: Escalation = Escalation.NONE,
) -> Step:
    """A default step; `default_scenarios` numbers the levels."""
    amount = Decimal(min_amount)
    return Step(
        0, name, offset_days, min_gap_days, channel, amount, approval, penalties, escalation
    )


_EMAIL, _SMS, _LETTER = Channel.EMAIL, Channel.SMS, Channel.LETTER
_REGISTERED, _CALL, _TASK = Channel.REGISTERED_LETTER, Channel.CALL, Channel.TASK
_NOTICE, _COLLECTION = Escalation.FORMAL_NOTICE, Escalation.COLLECTION
# Registered letters cost a few euros each: not for small balances. The formal notice (Code
# civil 1344) and the handover to collection are decided by a person (approval).
_FORMAL_NOTICE = _s(
    "Mise en demeure", 60, 10, _REGISTERED, "100", approval=True, penalties=True, escalation=_NOTICE
)
_COLLECTION_STEP = _s(
    "Transmission au contentieux",
    75,
    10,
    _TASK,
    "100",
    approval=True,
    penalties=True,
    escalation=_COLLECTION,
)

_DEFAULTS: tuple[tuple[PayerProfile, str, tuple[Step, ...]], ...] = (
    (
        PayerProfile.GOOD,
        "Bon payeur",
        (
            _s("Rappel courtois avant échéance", -5, 0, _EMAIL),
            _s("Première relance", 3, 5, _EMAIL),
            _s("Relance ferme", 15, 7, _EMAIL, penalties=True),
            _s("Appel téléphonique", 30, 7, _CALL, penalties=True),
            _s("Lettre recommandée", 45, 10, _REGISTERED, "50", penalties=True),
            _FORMAL_NOTICE,
            _COLLECTION_STEP,
        ),
    ),
    (
        PayerProfile.NEGLIGENT,
        "Payeur négligent",
        (
            _s("Rappel courtois avant échéance", -5, 0, _EMAIL),
            _s("Première relance", 1, 5, _EMAIL),
            _s("Relance par SMS", 10, 5, _SMS),
            _s("Relance ferme", 20, 7, _EMAIL, penalties=True),
            _s("Appel téléphonique", 30, 7, _CALL, penalties=True),
            _s("Lettre recommandée", 40, 7, _REGISTERED, "50", penalties=True),
            replace(_FORMAL_NOTICE, offset_days=55),
            replace(_COLLECTION_STEP, offset_days=70),
        ),
    ),
    # Shorter intervals and earlier formality; new orders are blocked from the call on.
    (
        PayerProfile.BAD,
        "Mauvais payeur",
        (
            _s("Rappel courtois avant échéance", -7, 0, _EMAIL),
            _s("Première relance", 1, 5, _EMAIL, penalties=True),
            _s("Relance par SMS", 8, 5, _SMS, penalties=True),
            _s(
                "Appel téléphonique et blocage des commandes",
                15,
                5,
                _CALL,
                penalties=True,
                escalation=Escalation.BLOCK_ORDERS,
            ),
            _s("Lettre recommandée", 25, 7, _REGISTERED, "50", penalties=True),
            replace(_FORMAL_NOTICE, offset_days=35, min_gap_days=7),
            replace(_COLLECTION_STEP, offset_days=50),
        ),
    ),
    # A payment plan (échéancier) is proposed early, before the formal steps.
    (
        PayerProfile.INSOLVENT,
        "Payeur en difficulté",
        (
            _s("Rappel courtois avant échéance", -5, 0, _EMAIL),
            _s("Première relance", 1, 5, _EMAIL),
            _s("Appel : proposition d'échéancier", 5, 3, _CALL),
            _s("Lettre recommandée", 15, 7, _REGISTERED, "50", penalties=True),
            replace(_FORMAL_NOTICE, offset_days=30),
            replace(_COLLECTION_STEP, offset_days=45),
        ),
    ),
    # Public buyers pay after the invoice is accepted on Chorus Pro (the e-invoicing portal of
    # the State); they owe late-payment interest (ECB + 8 points) and 40 EUR without reminder.
    (
        PayerProfile.ADMINISTRATIVE,
        "Administration",
        (
            _s("Vérification de la facture avant échéance (Chorus Pro)", -10, 0, _TASK),
            _s("Relance sur Chorus Pro", 5, 7, _TASK),
            _s("Première relance écrite", 15, 7, _LETTER, penalties=True),
            _s("Appel au service gestionnaire", 30, 10, _CALL, penalties=True),
            _s("Lettre recommandée au comptable public", 45, 10, _REGISTERED, "50", penalties=True),
            replace(_FORMAL_NOTICE, offset_days=75, min_gap_days=15),
        ),
    ),
    # Every message carries the proofs (order, delivery note, signed quote); an early call
    # confirms the invoice is accepted before any dispute can be raised late.
    (
        PayerProfile.DISPUTE_PRONE,
        "Payeur procédurier",
        (
            _s("Rappel courtois avec justificatifs", -5, 0, _EMAIL),
            _s("Appel de validation de la facture", 3, 5, _CALL),
            _s("Première relance avec justificatifs", 10, 5, _EMAIL),
            _s("Relance ferme avec justificatifs", 20, 7, _EMAIL, penalties=True),
            _s("Lettre recommandée avec justificatifs", 35, 10, _REGISTERED, "50", penalties=True),
            replace(_FORMAL_NOTICE, offset_days=50),
            replace(_COLLECTION_STEP, offset_days=65),
        ),
    ),
    # Direct debit or LCR: nothing to remind unless a debit is rejected (then the customer's
    # scenario is changed by a person, or the returned item gets its own scenario).
    (PayerProfile.AUTOMATIC, "Prélèvement automatique", ()),
)
