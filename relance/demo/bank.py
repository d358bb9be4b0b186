"""A bank statement for the demo: the last business days' movements on the company's account,
with customers paying some of their open invoices the way real payers do (relance.demo.
statements: references, mangled invoice numbers, grouped and partial payments, fees deducted,
parent companies) and movements that pay nothing of ours. Imported, then matched: the demo
shows fresh bank data, payments applied automatically, proposals to accept and lines to match
by hand — and the reminders that those payments made pointless, cancelled."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from relance.banking.convert import customer_hints, open_items
from relance.banking.matching import run_matching
from relance.banking.services import import_statement_file
from relance.core.bank.records import BankStatement, StatementFile
from relance.core.calendar import BusinessCalendar
from relance.ledger.models import Company

from .statements import statement

LINES = 60
PAID_SHARE = 0.15  # of the open invoices, paid in the statement (each at most once)
OPENING = Decimal("48250.00")


def import_demo_statement(company: Company, today: date, seed: int = 1):
    """Import and match a statement of the last five business days; (import, match) reports."""
    rng = random.Random(seed)
    items = [item for item in open_items(company) if item.currency == company.currency]
    paid = rng.sample(items, k=int(len(items) * PAID_SHARE))
    days = _business_days(today, 5)
    lines = [
        replace(labelled.line, booked_on=day, value_on=day)
        for labelled, day in zip(
            statement(paid, customer_hints(company), LINES, seed),
            sorted(rng.choice(days) for _ in range(LINES)),
            strict=False,
        )
    ]
    moved = sum((line.amount for line in lines), Decimal(0))
    account = company.iban or "FR7630006000011234567890189"
    parsed = StatementFile(
        "demo",
        (
            BankStatement(
                account=account, currency=company.currency, lines=tuple(lines),
                opening_on=days[0], opening_balance=OPENING,
                closing_on=days[-1], closing_balance=OPENING + moved,
                reference=f"DEMO-{days[-1]:%Y%m%d}",
            ),
        ),
    )  # fmt: skip
    report = import_statement_file(
        company, b"demo", file_name="releve-demo.xml", reader=lambda data, name: parsed
    )
    return report, run_matching(company)


def _business_days(today: date, count: int) -> list[date]:
    """The `count` business days before `today`, oldest first."""
    calendar, found, day = BusinessCalendar(), [], today
    while len(found) < count:
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            found.append(day)
    return found[::-1]
