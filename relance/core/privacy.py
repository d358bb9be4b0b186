"""Personal data: when a customer's personal data may be anonymised.

GDPR article 5-1-e keeps personal data no longer than its purpose needs, and the CNIL's
guidance on unpaid-debt files asks for deletion or anonymisation once the debt is settled and
its retention over. Collection needs a customer's people (names, e-mails, phones, addresses)
while something is owed, disputed, promised or planned, and as evidence while the settled
account could still be contested. Relance keeps them RETENTION_YEARS after the last thing that
happened on the account: 5 years, the limitation period of a claim about the account (Code
civil 2224 for the debtor's actions, such as a payment claimed back; Code de commerce L110-4
between traders), the longest that settled collection evidence can serve.

The accounting records (invoices, credit notes, payments: numbers, dates, amounts) stay: the
accounting package keeps them 10 years (Code de commerce L123-22) and Relance's figures rest on
them. Only the personal data around them goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

RETENTION_YEARS = 5


class Verdict(StrEnum):
    ANONYMISE = "anonymise"
    OPEN_ITEMS = "open_items"  # something still owed, or credit still to give back
    DISPUTED = "disputed"
    PROMISED = "promised"
    PLANNED = "planned"  # an active payment plan
    REMINDER_PENDING = "reminder_pending"  # a reminder not yet sent, failed or uncertain
    RETAINED = "retained"  # settled, within its retention period


@dataclass(frozen=True)
class Account:
    """What the decision needs to know of one customer's account."""

    has_open_items: bool
    has_open_dispute: bool
    has_open_promise: bool
    has_active_plan: bool
    has_pending_reminder: bool
    last_activity_on: date | None  # the latest date anything happened on the account


def retention_ends_on(last_activity_on: date, years: int) -> date:
    """The day the retention period ends: the same date `years` later (29 February gives
    28 February in a common year). Example: 2019-02-28 + 5 years -> 2024-02-28."""
    try:
        return last_activity_on.replace(year=last_activity_on.year + years)
    except ValueError:
        return last_activity_on.replace(year=last_activity_on.year + years, day=28)


def decide(account: Account, today: date, years: int = RETENTION_YEARS) -> Verdict:
    """ANONYMISE once nothing is owed, disputed, promised, planned or waiting to be sent, and
    the retention period since the last activity has ended (on its last day: not yet); else
    the first reason to keep the data. An account where nothing ever happened is settled
    since forever."""
    if years < 0:
        raise ValueError(f"retention of {years} years: a period cannot be negative")
    for held, verdict in (
        (account.has_open_items, Verdict.OPEN_ITEMS),
        (account.has_open_dispute, Verdict.DISPUTED),
        (account.has_open_promise, Verdict.PROMISED),
        (account.has_active_plan, Verdict.PLANNED),
        (account.has_pending_reminder, Verdict.REMINDER_PENDING),
    ):
        if held:
            return verdict
    if account.last_activity_on is None:
        return Verdict.ANONYMISE
    if today <= retention_ends_on(account.last_activity_on, years):
        return Verdict.RETAINED
    return Verdict.ANONYMISE


# Addresses and numbers inside free texts kept for their technical part (a reminder's history:
# "SMS au +33612345678 : 1 SMS", an SMTP refusal quoting the address). A Message-ID names a
# message, not a person, and the evidence export still reads it: it stays.
_EMAIL = re.compile(r"(?<![\w.+-])(?<!Message-ID <)[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+\d{6,15}\b|\b0\d(?:[ .-]?\d{2}){4}\b")
EMAIL_REMOVED = "[adresse anonymisée]"
PHONE_REMOVED = "[numéro anonymisé]"


def scrub(text: str) -> str:
    """`text` without its e-mail addresses and phone numbers. Example: "SMS au +33612345678"
    -> "SMS au [numéro anonymisé]"; "Message-ID <a1@relance.example>" is left as it is."""
    return _PHONE.sub(PHONE_REMOVED, _EMAIL.sub(EMAIL_REMOVED, text))
