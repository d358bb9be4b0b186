"""Bank statements built by hand, and a reader that returns them whatever the bytes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from relance.core.bank.records import BankLine, BankStatement, StatementFile

IBAN = "FR7630006000011234567890189"


def bank_line(day: int, amount: str, remittance: str = "", **fields) -> BankLine:
    fields.setdefault("line", day)
    return BankLine(
        booked_on=date(2026, 11, day),
        amount=Decimal(amount),
        currency=fields.pop("currency", "EUR"),
        remittance=remittance,
        **fields,
    )


def statement(
    lines: list[BankLine],
    *,
    opening: str | None = "1000.00",
    closing: str | None = None,
    first_day: int | None = None,
    last_day: int | None = None,
    **fields,
) -> BankStatement:
    """A statement whose closing balance adds up unless `closing` says otherwise."""
    moved = sum((line.amount for line in lines), Decimal(0))
    if closing is None and opening is not None:
        closing = str(Decimal(opening) + moved)
    days = [line.booked_on.day for line in lines] or [1]
    return BankStatement(
        account=fields.pop("account", IBAN),
        currency=fields.pop("currency", "EUR"),
        lines=tuple(lines),
        opening_on=date(2026, 11, first_day or min(days)),
        opening_balance=None if opening is None else Decimal(opening),
        closing_on=date(2026, 11, last_day or max(days)),
        closing_balance=None if closing is None else Decimal(closing),
        **fields,
    )


def reader_of(*statements: BankStatement, file_format: str = "camt.053.001.02"):
    parsed = StatementFile(format=file_format, statements=tuple(statements))
    return lambda data, name: parsed


# --- Stored records for the matching tests ---------------------------------------------------

_fingerprints = count(1)


def stored_line(company, amount: str, remittance: str = "", *, day: int = 20, **fields):
    """A bank line as the import stores it, booked on `day` November 2026."""
    from relance.banking.models import BankLine as BankLineRow
    from relance.banking.models import Statement

    statement, _ = Statement.objects.get_or_create(
        company=company,
        fingerprint="test-statement",
        defaults={"account": IBAN, "currency": "EUR", "format": "camt.053.001.02"},
    )
    return BankLineRow.objects.create(
        company=company,
        statement=statement,
        account=IBAN,
        booked_on=date(2026, 11, day),
        amount=Decimal(amount),
        currency=fields.pop("currency", "EUR"),
        remittance=remittance,
        fingerprint=f"line-{next(_fingerprints)}",
        **fields,
    )


def reminder_for(customer, invoices, status: str = "pending", **fields):
    """A reminder as the run writes it: every listed invoice moved to its step."""
    from relance.dunning.models import Reminder, ReminderEvent, ReminderItem

    total = sum((invoice.open_amount for invoice in invoices), Decimal(0))
    reminder = Reminder.objects.create(
        company=customer.company,
        customer=customer,
        level=1,
        step_name="Relance amicale",
        channel="email",
        currency="EUR",
        amount=total,
        overdue_amount=total,
        status=status,
        planned_on=date(2026, 11, 19),
        recipients=[{"email": "compta@client.fr", "name": "Compta", "kind": "to"}],
        subject="Factures échues",
        body_text="Bonjour,\nmerci de régler.",
        **fields,
    )
    ReminderItem.objects.bulk_create(
        ReminderItem(
            reminder=reminder, invoice=invoice, open_amount=invoice.open_amount, moved_to_level=1
        )
        for invoice in invoices
    )
    ReminderEvent.objects.create(reminder=reminder, status=status)
    return reminder


class ReconciliationRecords:
    """Bank records on a web test World's customer: a line with two proposals, a match, an
    unmatched line, a return alert."""

    def __init__(self, world) -> None:
        from relance.banking.matching import match_by_hand
        from relance.banking.models import BankAlert, MatchProposal
        from relance.ledger import services as ledger

        company, customer = world.company, world.customer
        self.proposed_line = stored_line(company, "437.19", "VIREMENT", counterparty_name="DUPONT")
        self.proposals = [
            MatchProposal.objects.create(
                company=company,
                bank_line=self.proposed_line,
                rank=rank,
                customer=customer,
                confidence=Decimal(confidence),
                candidate={
                    "customer": customer.pk,
                    "shares": [{"invoice": world.invoice.pk, "amount": "437.19"}],
                    "unallocated": "0.00",
                    "fee": "0.00",
                    "confidence": confidence,
                    "reasons": ["name", "amount"],
                },
            )
            for rank, confidence in ((1, "0.900"), (2, "0.600"))
        ]
        paid = ledger.record_invoice(
            company,
            customer,
            number="F-0900",
            issued_on=date(2026, 10, 1),
            due_on=date(2026, 10, 31),
            amount=Decimal("250.00"),
        )
        matched_line = stored_line(company, "250.00", "FACT F-0900", counterparty_name="DUPONT")
        self.match = match_by_hand(matched_line, customer, [(paid, Decimal("250.00"))])
        self.unmatched_line = stored_line(company, "500.00", "VIR DIVERS", day=21)
        returned = stored_line(company, "-80.00", "IMPAYE", is_return=True, day=22)
        self.alert = BankAlert.objects.create(
            company=company, customer=customer, bank_line=returned, message="Rejet de 80,00 EUR"
        )


def reconciliation_records(world) -> ReconciliationRecords:
    """Built once per World, the first time a test asks for them."""
    if not hasattr(world, "reconciliation"):
        world.reconciliation = ReconciliationRecords(world)
    return world.reconciliation
