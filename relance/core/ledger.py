"""Ledger arithmetic: balances and overdue amounts of a customer account."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class AccountPosition:
    """What a customer owes in one currency.

    `balance` = open debit items - open credit items - unallocated payments.
    `overdue` = open debit items past due, reduced by the unallocated credits (which settle the
    oldest debt first in practice), never below zero nor above the balance.
    """

    balance: Decimal
    overdue: Decimal


def account_position(
    open_debit: Decimal, open_credit: Decimal, unallocated: Decimal, overdue_debit: Decimal
) -> AccountPosition:
    """Example: 1,000 open of which 600 overdue, a 100 credit note and 50 unallocated
    -> balance 850, overdue 450."""
    balance = open_debit - open_credit - unallocated
    overdue = max(Decimal(0), min(balance, overdue_debit - open_credit - unallocated))
    return AccountPosition(balance=balance, overdue=overdue)
