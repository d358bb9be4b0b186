"""How each payer profile pays: delay after the due date, partial payments, payment runs.

A customer's delays are not drawn afresh from its profile's range for every invoice: as in
real ledgers, each customer has its own usual delay within that range, drifts slowly (a
customer in difficulty pays later month after month, another improves), pays later when the
payment would fall in August or over the year end (holidays, year-end closing) and when the
invoice is large for it (approval circuits). These `Habits` are what the payment-date
prediction of relance.forecast has to find; they are drawn from a random generator of their
own, so the rest of the portfolio (customers, invoices, amounts) stays what it was.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from relance.core.records import PayerProfile, PaymentMethod

P = PayerProfile

PROFILE_WEIGHTS = {
    P.GOOD: 45,
    P.NEGLIGENT: 20,
    P.BAD: 8,
    P.ADMINISTRATIVE: 8,
    P.DISPUTE_PRONE: 6,
    P.AUTOMATIC: 10,
    P.INSOLVENT: 3,
}
_PROFILES = list(PROFILE_WEIGHTS)
_CUMULATIVE = list(itertools.accumulate(PROFILE_WEIGHTS.values()))

Delay = Callable[[random.Random], "int | None"]


def _good(rng: random.Random) -> int | None:
    return max(-10, round(rng.gauss(0, 4)))


def _bad(rng: random.Random) -> int | None:
    return None if rng.random() < 0.15 else rng.randint(30, 120)


def _insolvent(rng: random.Random) -> int | None:
    return None if rng.random() < 0.8 else rng.randint(60, 200)


def _disputed(rng: random.Random) -> int | None:
    return None if rng.random() < 0.4 else rng.randint(60, 180)


# Days between the due date and the payment; None: never paid.
DELAYS: dict[PayerProfile, Delay] = {
    P.GOOD: _good,
    P.NEGLIGENT: lambda rng: rng.randint(10, 40),
    P.BAD: _bad,
    P.INSOLVENT: _insolvent,
    P.ADMINISTRATIVE: lambda rng: rng.randint(45, 90),
    P.DISPUTE_PRONE: lambda rng: rng.randint(0, 20),
    P.AUTOMATIC: lambda rng: 0,
}

# The earliest a profile pays, days after the due date (habits never go below it).
EARLIEST = {
    P.GOOD: -10,
    P.NEGLIGENT: 10,
    P.BAD: 30,
    P.INSOLVENT: 60,
    P.ADMINISTRATIVE: 45,
    P.DISPUTE_PRONE: 0,
    P.AUTOMATIC: 0,
}
HABIT_WEIGHT = 0.6  # a delay is this much the customer's usual delay, the rest the invoice's
DRIFT_SHARE = 0.5  # customers whose delays drift
DRIFT_DAYS = 1.2  # standard deviation of the drift, days later per 30 days
AUGUST_DAYS = 10  # a payment falling in August slips this much
YEAR_END_DAYS = 7  # ... and one falling from 20 to 31 December
LARGE_INVOICE_DAYS = 3.0  # per unit of log(amount / the customer's typical amount), above it
LARGE_INVOICE_CAP = 10

# Share of invoices disputed; a direct debit goes through whatever the customer thinks.
DISPUTE_RATES = {profile: 0.003 for profile in PayerProfile} | {
    P.DISPUTE_PRONE: 0.15,
    P.AUTOMATIC: 0.0,
}


@dataclass(frozen=True)
class Behaviour:
    """A customer's habits. `cycle` > 1: pays in runs every `cycle` days (a weekly transfer
    run, or a public buyer's monthly batch), so one payment covers several invoices."""

    profile: PayerProfile
    terms_days: int
    mu: float  # log of the typical invoice amount in euros
    cycle: int
    phase: int
    is_consumer: bool
    habits: Habits | None = None

    @property
    def overpays(self) -> bool:
        return self.profile is not P.AUTOMATIC

    def method(self, rng: random.Random) -> PaymentMethod:
        if self.profile is P.AUTOMATIC:
            return PaymentMethod.DIRECT_DEBIT
        if self.is_consumer:
            return rng.choice((PaymentMethod.CARD, PaymentMethod.TRANSFER, PaymentMethod.CHEQUE))
        draw = rng.random()
        if draw < 0.75:
            return PaymentMethod.TRANSFER
        return PaymentMethod.CHEQUE if draw < 0.88 else PaymentMethod.LCR

    def on_payment_run(self, day: int) -> int:
        return day + (self.phase - day) % self.cycle


def behaviour_for(rng: random.Random, is_consumer: bool) -> Behaviour:
    profile = rng.choices(_PROFILES, cum_weights=_CUMULATIVE)[0]
    terms = 30 if profile is P.AUTOMATIC or is_consumer else rng.choice((30, 30, 45, 60))
    cycle = 1
    if profile is P.ADMINISTRATIVE:
        terms, cycle = 60, 30
    elif profile in (P.GOOD, P.NEGLIGENT) and rng.random() < 0.3:
        cycle = 7
    mu = rng.gauss(4.8, 0.6) if is_consumer else rng.gauss(6.6, 0.9)
    return Behaviour(profile, terms, mu, cycle, rng.randrange(cycle), is_consumer)


@dataclass(frozen=True)
class Habits:
    """One customer's own ways (see the module docstring); `origin` is the day (ordinal) its
    drift is counted from, so that its delays today are its usual ones."""

    usual: int
    drift: float  # days later per 30 days
    origin: int
    typical_cents: float


def habits_for(rng: random.Random, b: Behaviour, origin: int) -> Habits:
    usual = None
    while usual is None:  # a draw of the profile that is a payment, not a default
        usual = DELAYS[b.profile](rng)
    drift = rng.gauss(0, DRIFT_DAYS) if rng.random() < DRIFT_SHARE else 0.0
    return Habits(usual, drift, origin, math.exp(b.mu) * 100)


def habitual_delay(b: Behaviour, due: int, delay: int, cents: int) -> int:
    """The invoice's draw of its profile made into this customer's delay. Direct debits are
    taken on the due date whatever the habits."""
    h = b.habits
    if h is None or b.profile is P.AUTOMATIC:
        return delay
    days = HABIT_WEIGHT * h.usual + (1 - HABIT_WEIGHT) * delay
    days += h.drift * (due - h.origin) / 30
    days += min(LARGE_INVOICE_CAP, max(0.0, LARGE_INVOICE_DAYS * math.log(cents / h.typical_cents)))
    paid = date.fromordinal(due + round(days))
    if paid.month == 8:
        days += AUGUST_DAYS
    elif paid.month == 12 and paid.day >= 20:
        days += YEAR_END_DAYS
    return max(EARLIEST[b.profile], round(days))


def settlement_plan(
    rng: random.Random, b: Behaviour, due: int, cents: int
) -> tuple[list[tuple[int, int]], bool]:
    """When and how much of `cents` gets paid (day ordinals), and whether it is disputed."""
    if cents <= 0:
        return [], False
    is_disputed = rng.random() < DISPUTE_RATES[b.profile]
    delay = _disputed(rng) if is_disputed else DELAYS[b.profile](rng)
    if delay is None:
        return [], is_disputed
    if not is_disputed:
        delay = habitual_delay(b, due, delay, cents)
    day = b.on_payment_run(due + delay)
    if b.profile is P.AUTOMATIC or cents < 2000 or rng.random() >= 0.06:
        return [(day, cents)], is_disputed
    first = int(cents * rng.uniform(0.3, 0.7))
    never = 0.5 if b.profile in (P.BAD, P.INSOLVENT) else 0.15
    if rng.random() < never:
        return [(day, first)], is_disputed
    return [(day, first), (b.on_payment_run(day + rng.randint(15, 60)), cents - first)], is_disputed
