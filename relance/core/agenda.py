"""The collector's agenda: how urgent a piece of work is, and when a debt becomes time-barred.

Pure functions: the web agenda (relance.dunning.agenda) reads the database and asks these.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .records import PayerProfile

# How much more likely a customer of each payer profile is not to pay at all: the "risk" factor
# of the priority. Customers have no risk score of their own yet; the profile is the best proxy.
RISK_WEIGHTS: dict[str, Decimal] = {
    PayerProfile.GOOD: Decimal("1"),
    PayerProfile.AUTOMATIC: Decimal("1"),
    PayerProfile.ADMINISTRATIVE: Decimal("1"),
    PayerProfile.NEGLIGENT: Decimal("1.5"),
    PayerProfile.DISPUTE_PRONE: Decimal("1.5"),
    PayerProfile.BAD: Decimal("2"),
    PayerProfile.INSOLVENT: Decimal("3"),
}
# Code de commerce L110-4: 5 years between traders; Code de la consommation L218-2: 2 years for
# a professional against a consumer.
LIMITATION_YEARS_BUSINESS = 5
LIMITATION_YEARS_CONSUMER = 2
LIMITATION_WARNING_DAYS = 183  # warn about six months before
MAX_DAYS_LATE = 365


def priority(amount: Decimal, days_late: int, payer_profile: str) -> int:
    """Amount at stake x (1 + days late, counted up to a year) x the risk weight of the payer
    profile, as a whole number: the higher, the sooner. Example: 1,000 EUR 30 days late from
    a bad payer scores 1000 x 31 x 2 = 62,000; 5,000 EUR due today from a good payer 5,000.

    Beyond a year, lateness adds no urgency: old debts would otherwise bury today's work.
    Amounts of different currencies are compared as plain numbers: the score only ranks work,
    it is never money."""
    weight = RISK_WEIGHTS.get(payer_profile, Decimal("1"))
    days = min(max(0, days_late), MAX_DAYS_LATE)
    return int(abs(amount) * (1 + days) * weight)


def limitation_on(due_on: date, is_consumer: bool) -> date:
    """The day a claim due `due_on` becomes time-barred: 5 years later between businesses
    (L110-4), 2 years against a consumer (L218-2); 29 February moves to 28 February."""
    years = LIMITATION_YEARS_CONSUMER if is_consumer else LIMITATION_YEARS_BUSINESS
    try:
        return due_on.replace(year=due_on.year + years)
    except ValueError:  # 29 February in a year that has none
        return due_on.replace(year=due_on.year + years, day=28)


def latest_due_on_warned(today: date, is_consumer: bool) -> date:
    """Items due on or before this date reach their limitation date within the warning
    period (about six months from `today`), or have already reached it."""
    horizon = today + timedelta(days=LIMITATION_WARNING_DAYS)
    years = LIMITATION_YEARS_CONSUMER if is_consumer else LIMITATION_YEARS_BUSINESS
    try:
        latest = horizon.replace(year=horizon.year - years)
    except ValueError:  # the horizon is 29 February
        latest = horizon.replace(year=horizon.year - years, day=28)
    # An item due 29 February is barred on 28 February: one day more when the horizon is then.
    following = latest + timedelta(days=1)
    return following if limitation_on(following, is_consumer) <= horizon else latest
