"""The risk score of a customer, its explanation, the payer profile its history suggests, and
the alerts a change of score raises. Definitions, weights and worked examples: docs/kpis.md,
"Score de risque".

100 is the safest customer, 0 the riskiest. Each factor takes points off 100, at most its
weight; the contributions are rounded to a tenth, then the score to a whole number (half up).
Amounts serve as weights of the days late only, never as money: the score is the same in any
currency. Pure functions over plain data; the database reads live in relance.scoring.queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .records import PayerProfile

ZERO = Decimal(0)
ONE = Decimal(1)
TENTH = Decimal("0.1")

WINDOW_DAYS = 365  # the history a score reads: the last twelve months
RECENT_DAYS = 90  # the trend compares these last three months with the nine before
LATE_GRACE_DAYS = (
    7  # weekly payment runs and transfer days: within a week of the due date is on time
)
MIN_HISTORY = 3  # invoices settled or overdue in the window before a profile is suggested
LATE_DAYS = 10  # more days late than this on average: negligent
VERY_LATE_DAYS = 45  # more than this: bad payer
LIMIT_LEVELS = (50, 70, 90)  # credit-limit use (%) that raises an alert when crossed
SHARP_DROP_POINTS = 15  # a score this far below its best of the last DROP_WINDOW_DAYS
DROP_WINDOW_DAYS = 30
BANDS = ((70, "low"), (40, "medium"), (0, "high"))  # lowest score of each risk band


class Factor(StrEnum):
    DAYS_LATE = "days_late"
    TREND = "trend"
    LATE_SHARE = "late_share"
    DISPUTES = "disputes"
    BROKEN_PROMISES = "broken_promises"
    REMINDERS = "reminders"
    CREDIT_USE = "credit_use"


# Points a factor takes off at most, and the measure at which it takes them all (linear from
# zero up to it). Credit use counts from 50 % of the limit: below, nothing is taken off.
WEIGHTS: dict[Factor, int] = {
    Factor.DAYS_LATE: 40,
    Factor.TREND: 10,
    Factor.LATE_SHARE: 20,
    Factor.DISPUTES: 10,
    Factor.BROKEN_PROMISES: 10,
    Factor.REMINDERS: 5,
    Factor.CREDIT_USE: 5,
}
FULL_AT: dict[Factor, Decimal] = {
    Factor.DAYS_LATE: Decimal(90),  # days, amount-weighted
    Factor.TREND: Decimal(30),  # days later than before
    Factor.LATE_SHARE: ONE,  # every invoice late
    Factor.DISPUTES: Decimal("0.2"),  # one invoice in five disputed
    Factor.BROKEN_PROMISES: Decimal(2),  # two broken promises
    Factor.REMINDERS: Decimal(2),  # two reminders per invoice
    Factor.CREDIT_USE: Decimal("0.5"),  # from 50 % to 100 % of the limit
}
CREDIT_USE_FROM = Decimal("0.5")
HALF = Decimal("0.5")


@dataclass(frozen=True)
class Delays:
    """Days late of a set of invoices, weighted by their amounts: `amount` is their total,
    `weighted_days` the sum of amount x days late (0 for those paid on time)."""

    amount: Decimal = ZERO
    weighted_days: Decimal = ZERO

    def average(self) -> Decimal | None:
        return self.weighted_days / self.amount if self.amount > 0 else None

    def __add__(self, other: Delays) -> Delays:
        return Delays(self.amount + other.amount, self.weighted_days + other.weighted_days)

    def __sub__(self, other: Delays) -> Delays:
        return Delays(self.amount - other.amount, self.weighted_days - other.weighted_days)


@dataclass(frozen=True)
class History:
    """What a customer did in the WINDOW_DAYS up to today, and what it owes today.

    `settled`: invoices whose last allocation (the payment) falls in the window, with their
    days late at that date; `settled_recent` those of the last RECENT_DAYS; `overdue`: open
    debit items past due, with their days past due today. The counts "late" leave out the
    LATE_GRACE_DAYS. `reminders`: reminders sent about overdue amounts (courteous pre-due ones
    left out), calls and tasks done included."""

    settled: Delays = field(default_factory=Delays)
    settled_recent: Delays = field(default_factory=Delays)
    overdue: Delays = field(default_factory=Delays)
    settled_count: int = 0
    settled_late_count: int = 0
    overdue_late_count: int = 0
    oldest_overdue_days: int = 0
    disputes: int = 0
    broken_promises: int = 0
    reminders: int = 0
    payments: int = 0
    direct_debits: int = 0
    days_since_payment: int | None = None
    outstanding: Decimal = ZERO
    credit_limit: Decimal | None = None
    payer_profile: str = PayerProfile.GOOD.value
    is_public_body: bool = False

    @property
    def judged(self) -> int:
        """Invoices the window can judge: settled in it, or open and past the grace."""
        return self.settled_count + self.overdue_late_count

    @property
    def late_count(self) -> int:
        return self.settled_late_count + self.overdue_late_count

    def days_late(self) -> Decimal | None:
        return (self.settled + self.overdue).average()

    def trend(self) -> Decimal | None:
        """Recent days late (settled in the last RECENT_DAYS, and overdue today) minus those
        of the invoices settled earlier in the window; None without both."""
        recent = (self.settled_recent + self.overdue).average()
        earlier = (self.settled - self.settled_recent).average()
        return None if recent is None or earlier is None else recent - earlier

    def late_share(self) -> Decimal | None:
        return Decimal(self.late_count) / self.judged if self.judged else None

    def per_invoice(self, count: int) -> Decimal:
        """`count` per judged invoice; every one counts in full when none can be judged."""
        return Decimal(count) / max(self.judged, 1)


@dataclass(frozen=True)
class Contribution:
    """One factor: its measure (days, a share from 0 to 1, a count, a ratio; None when the
    history has none) and the points it takes off 100, at most `weight`."""

    factor: Factor
    value: Decimal | None
    points: Decimal

    @property
    def weight(self) -> int:
        return WEIGHTS[self.factor]


class Rule(StrEnum):
    """Why a profile is suggested (the first rule that holds, in this order)."""

    DIRECT_DEBIT = "direct_debit"
    UNPAID = "unpaid"
    DISPUTES = "disputes"
    PUBLIC_BODY = "public_body"
    VERY_LATE = "very_late"
    BROKEN_PROMISES = "broken_promises"
    LATE = "late"
    ON_TIME = "on_time"
    TOO_LITTLE_HISTORY = "too_little_history"


@dataclass(frozen=True)
class Score:
    score: int
    contributions: tuple[Contribution, ...]
    suggested_profile: PayerProfile | None
    rule: Rule
    limit_level: int
    judged: int

    @property
    def band(self) -> str:
        return band(self.score)


def score(history: History) -> Score:
    """The score of a customer with its contributions, suggested profile and credit-limit level.

    Example: 15 days late on average (40 x 15/90 = 6.67, 6.7 points), 6 days later than
    before (10 x 6/30 = 2), one invoice in four late (20 x 0.25 = 5), 10 % disputed (10 x
    0.1/0.2 = 5), one broken promise (5), 0.4 reminder per invoice (5 x 0.4/2 = 1), 78 % of the
    credit limit used (5 x 0.28/0.5 = 2.8): 27.5 points off, score 72.5, shown 73."""
    contributions = tuple(_contributions(history))
    lost = sum((c.points for c in contributions), ZERO)
    total = int((Decimal(100) - lost).quantize(ONE, rounding=ROUND_HALF_UP))
    profile, rule = suggest(history)
    return Score(
        max(0, min(100, total)),
        contributions,
        profile,
        rule,
        limit_level(history.outstanding, history.credit_limit),
        history.judged,
    )


def _contributions(history: History) -> list[Contribution]:
    measures: list[tuple[Factor, Decimal | None]] = [
        (Factor.DAYS_LATE, history.days_late()),
        (Factor.TREND, history.trend()),
        (Factor.LATE_SHARE, history.late_share()),
        (Factor.DISPUTES, history.per_invoice(history.disputes)),
        (Factor.BROKEN_PROMISES, Decimal(history.broken_promises)),
        (Factor.REMINDERS, history.per_invoice(history.reminders)),
    ]
    result = [Contribution(name, value, _points(name, value)) for name, value in measures]
    return [*result, _credit(history.outstanding, history.credit_limit)]


def _credit(outstanding: Decimal, credit_limit: Decimal | None) -> Contribution:
    """Nothing off up to 50 % of the limit, all its points from 100 %; a zero limit grants no
    credit, so any debt takes them all."""
    use = credit_use(outstanding, credit_limit)
    if credit_limit == 0 and outstanding > 0:
        return Contribution(Factor.CREDIT_USE, use, Decimal(WEIGHTS[Factor.CREDIT_USE]))
    above = None if use is None else use - CREDIT_USE_FROM
    return Contribution(Factor.CREDIT_USE, use, _points(Factor.CREDIT_USE, above))


def _points(factor: Factor, value: Decimal | None) -> Decimal:
    """WEIGHTS x value / FULL_AT, between 0 and the weight, to a tenth (half up)."""
    if value is None or value <= 0:
        return ZERO
    share = min(value / FULL_AT[factor], ONE)
    return (WEIGHTS[factor] * share).quantize(TENTH, rounding=ROUND_HALF_UP)


def credit_use(outstanding: Decimal, credit_limit: Decimal | None) -> Decimal | None:
    """Outstanding / credit limit (1 = the whole limit); None without a positive limit."""
    if credit_limit is None or credit_limit <= 0:
        return None
    return outstanding / credit_limit


def limit_level(outstanding: Decimal, credit_limit: Decimal | None) -> int:
    """The highest of LIMIT_LEVELS (%) the outstanding has reached, 0 below the first. A zero
    limit grants no credit: any debt is at the highest level."""
    if credit_limit == 0:
        return LIMIT_LEVELS[-1] if outstanding > 0 else 0
    use = credit_use(outstanding, credit_limit)
    if use is None:
        return 0
    reached = [level for level in LIMIT_LEVELS if use * 100 >= level]
    return reached[-1] if reached else 0


def band(value: int) -> str:
    """The risk band of a score: "low" from 70, "medium" from 40, "high" below."""
    return next(name for lowest, name in BANDS if value >= lowest)


# --- Suggested payer profile ----------------------------------------------------------------


def suggest(history: History) -> tuple[PayerProfile | None, Rule]:
    """The payer profile the history points to, with the rule that decided it; None with too
    little history (fewer than MIN_HISTORY invoices settled or overdue in the window)."""
    for rule, profile, holds in _RULES:
        if holds(history):
            return profile, rule
    return None, Rule.TOO_LITTLE_HISTORY


def _pays_by_direct_debit(h: History) -> bool:
    """Four payments in five by direct debit, and nothing overdue past the grace."""
    mostly = h.direct_debits * 5 >= h.payments * 4
    return h.payments >= MIN_HISTORY and mostly and h.overdue_late_count == 0


def _stopped_paying(h: History) -> bool:
    """Owes an item more than 90 days past due and paid nothing for 90 days."""
    no_payment = h.days_since_payment is None or h.days_since_payment > 90
    return h.overdue.amount > 0 and h.oldest_overdue_days > 90 and no_payment


def _disputes_often(h: History) -> bool:
    return h.disputes >= 2 and h.per_invoice(h.disputes) >= Decimal("0.1")


def _is_public(h: History) -> bool:
    """A public buyer (SIREN starting with 1 or 2), or one a person already said was: slow by
    its procedures (Chorus Pro, payment orders), not by choice."""
    return h.is_public_body or h.payer_profile == PayerProfile.ADMINISTRATIVE.value


def _with_history(test: Callable[[History], bool]) -> Callable[[History], bool]:
    return lambda h: h.judged >= MIN_HISTORY and test(h)


def _very_late(h: History) -> bool:
    days = h.days_late()
    return days is not None and days > VERY_LATE_DAYS


def _late(h: History) -> bool:
    days, share = h.days_late(), h.late_share()
    return (days is not None and days > LATE_DAYS) or (share is not None and share >= HALF)


P = PayerProfile
_RULES = (
    (Rule.DIRECT_DEBIT, P.AUTOMATIC, _pays_by_direct_debit),
    (Rule.UNPAID, P.INSOLVENT, _stopped_paying),
    (Rule.DISPUTES, P.DISPUTE_PRONE, _disputes_often),
    (Rule.PUBLIC_BODY, P.ADMINISTRATIVE, _with_history(_is_public)),
    (Rule.VERY_LATE, P.BAD, _with_history(_very_late)),
    (Rule.BROKEN_PROMISES, P.BAD, lambda h: h.broken_promises >= 2),
    (Rule.LATE, P.NEGLIGENT, _with_history(_late)),
    (Rule.ON_TIME, P.GOOD, _with_history(lambda h: True)),
)


def is_public_body(siren: str) -> bool:
    """INSEE gives public-law legal persons (the State, local authorities, public
    establishments) SIREN numbers starting with 1 or 2."""
    return len(siren) == 9 and siren[0] in "12"


# --- Alerts ---------------------------------------------------------------------------------


class AlertKind(StrEnum):
    SCORE_DROP = "score_drop"
    CREDIT_LIMIT = "credit_limit"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class State:
    """What a stored score said of a customer: its score, credit-limit level, blocked flag."""

    score: int
    limit_level: int
    is_blocked: bool


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    level: int = 0  # the credit-limit level crossed (%); 0 for the other kinds


def alerts(
    previous: State | None, current: State, best_recent: int | None, dropped_recently: bool
) -> list[Alert]:
    """The alerts of a new score, each raised once per crossing, not every day:

    - the score is SHARP_DROP_POINTS or more below `best_recent` (its highest during the
      DROP_WINDOW_DAYS before), unless a drop was already raised within that window;
    - the credit-limit level is higher than the previous score's (a customer back under a
      level raises it again when it crosses it again);
    - the customer is blocked and the previous score was not (or there was none)."""
    found = []
    if (
        best_recent is not None
        and best_recent - current.score >= SHARP_DROP_POINTS
        and not dropped_recently
    ):
        found.append(Alert(AlertKind.SCORE_DROP))
    if current.limit_level > (previous.limit_level if previous else 0):
        found.append(Alert(AlertKind.CREDIT_LIMIT, current.limit_level))
    if current.is_blocked and not (previous and previous.is_blocked):
        found.append(Alert(AlertKind.BLOCKED))
    return found


# --- May we ship? ---------------------------------------------------------------------------


class Decision(StrEnum):
    OK = "ok"
    REVIEW = "review"
    BLOCK = "block"


class Reason(StrEnum):
    BLOCKED = "blocked"
    HANDED_OVER = "handed_over"
    OVER_LIMIT = "over_limit"
    NEAR_LIMIT = "near_limit"
    HIGH_RISK = "high_risk"


REVIEW_USE = Decimal("0.9")  # from 90 % of the credit limit, a person looks before shipping
REVIEW_BELOW_SCORE = BANDS[1][0]  # a high-risk score (under 40)


def credit_decision(
    is_blocked: bool,
    is_handed_over: bool,
    outstanding: Decimal,
    credit_limit: Decimal | None,
    score: int | None,
) -> tuple[Decision, Reason | None]:
    """May we ship a new order on credit? The first rule that holds decides:

    block when new orders are blocked, when the customer is handed over to collection, or when
    the outstanding has reached the credit limit (no room left; a zero limit grants no credit);
    review when 90 % of the limit is used or the score is under 40; ok otherwise (no score yet
    is no reason to stop)."""
    if is_blocked:
        return Decision.BLOCK, Reason.BLOCKED
    if is_handed_over:
        return Decision.BLOCK, Reason.HANDED_OVER
    if credit_limit is not None and outstanding >= credit_limit:
        return Decision.BLOCK, Reason.OVER_LIMIT
    use = credit_use(outstanding, credit_limit)
    if use is not None and use >= REVIEW_USE:
        return Decision.REVIEW, Reason.NEAR_LIMIT
    if score is not None and score < REVIEW_BELOW_SCORE:
        return Decision.REVIEW, Reason.HIGH_RISK
    return Decision.OK, None
