"""The thank-you check for a batch of lines applied in bulk (relance.banking.matching.bulk).

Line by line, the ledger calls relance.dunning.thanks.thank_if_settled each time an
allocation settles an invoice; it writes the thank-you when the customer's balance in that
currency is then zero or less. During a matching run a customer's balance only goes down
(each line takes its amount, plus the fee written off, off it; allocating moves nothing),
and the thank-you is written once: so the line-by-line result is a thank-you dated by the
first settling line after which the balance is zero or less, if there is one.

For a batch, that line is found from the balance once the batch is written, walking the
customer's lines of the batch backwards; `thank_if_settled` is then called once, with that
date, and only for the customers who were reminded (one query for the batch): the others
never get a thank-you, and most payers were never reminded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from relance.dunning.models import Reminder
from relance.dunning.thanks import THANKS_LEVEL, THANKS_STEP, thank_if_settled
from relance.ledger.models import Customer
from relance.ledger.services import position_of


class LineCredit(NamedTuple):
    """One applied line as the customer's balance sees it."""

    customer_id: int
    currency: str
    booked_on: date
    credit: Decimal  # the line's amount plus the fee written off
    settles: bool  # it settled one of its items


def thank_settled(lines: Sequence[LineCredit]) -> None:
    """Write the thank-you messages the batch's lines (in line order) call for."""
    by_account: dict[tuple[int, str], list[LineCredit]] = defaultdict(list)
    for line in lines:
        by_account[line.customer_id, line.currency].append(line)
    settled = {key for key, account in by_account.items() if any(x.settles for x in account)}
    for customer_id, currency in sorted(_reminded(settled)):
        customer = Customer.objects.get(pk=customer_id)
        account = by_account[customer_id, currency]
        first = _first_settled(account, customer, currency)
        if first is not None:
            thank_if_settled(customer, currency, first.booked_on)


def _reminded(accounts: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The accounts that received a reminder (other than a thank-you): the only ones
    thank_if_settled can thank."""
    if not accounts:
        return set()
    rows = (
        Reminder.objects.filter(
            customer_id__in={customer_id for customer_id, _ in accounts},
            status=Reminder.Status.SENT,
        )
        .exclude(step_name=THANKS_STEP, level=THANKS_LEVEL)
        .values_list("customer_id", "currency")
        .distinct()
    )
    return set(rows) & accounts


def _first_settled(account: list[LineCredit], customer, currency: str) -> LineCredit | None:
    """The first settling line after which the balance was zero or less."""
    balance = position_of(customer, account[-1].booked_on, currency).balance
    first = None
    for line in reversed(account):
        if line.settles and balance <= 0:
            first = line
        balance += line.credit
    return first
