"""Bank lines, open items and customers as the matching core sees them
(relance.core.matching), and candidates to and from JSON.

Everything is read set-based with `values_list`: a handful of queries whatever the number of
lines and items (50,000 lines against 300,000 open items is a few seconds of reading)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet
from stdnum import iso11649

from relance.core.bank.records import BankLine as LineRecord
from relance.core.matching import Candidate, CustomerHint, OpenItem, Share
from relance.ledger.models import Company, Customer, Invoice

from .models import BankLine, CustomerIBAN

CHUNK = 5000
LINE_FIELDS = (
    "line",
    "booked_on",
    "amount",
    "currency",
    "value_on",
    "counterparty_name",
    "counterparty_iban",
    "remittance",
    "structured_reference",
    "end_to_end_id",
    "bank_reference",
    "bank_code",
    "is_return",
)
ITEM_FIELDS = (
    "pk",
    "customer_id",
    "number",
    "open_amount",
    "currency",
    "due_on",
    "issued_on",
    "payment_reference",
)


def line_records(lines: QuerySet[BankLine]) -> list[tuple[int, LineRecord]]:
    """(bank line id, core record) in booking order, the order sure matches consume items."""
    rows = lines.order_by("booked_on", "pk").values_list("pk", *LINE_FIELDS)
    return [
        (row[0], LineRecord(**dict(zip(LINE_FIELDS, row[1:], strict=True))))
        for row in rows.iterator(chunk_size=CHUNK)
    ]


def open_items(company: Company) -> list[OpenItem]:
    """The company's open debit items. Their reference is the e-invoice's payment reference
    when it is an ISO 11649 one; the RF reference built from the invoice number
    (core `creditor_reference`) needs no field: the core recognises it from the number."""
    rows = Invoice.objects.filter(
        company=company, is_credit=False, open_amount__positive=True
    ).values_list(*ITEM_FIELDS)
    return [
        OpenItem(pk, customer_id, number, open_amount, currency, due_on, issued_on, rf(reference))
        for pk, customer_id, number, open_amount, currency, due_on, issued_on, reference in (
            rows.iterator(chunk_size=CHUNK)
        )
    ]


def rf(reference: str) -> str:
    """An ISO 11649 creditor reference without spaces, or "" when `reference` is not one."""
    compact = reference.replace(" ", "").upper()
    return compact if compact.startswith("RF") and iso11649.is_valid(compact) else ""


def customer_hints(company: Company) -> list[CustomerHint]:
    """Every customer of the company with its name and the IBANs learned from matches."""
    ibans: dict[int, list[str]] = defaultdict(list)
    learned = CustomerIBAN.objects.filter(company=company).values_list("customer_id", "iban")
    for customer_id, iban in learned:
        ibans[customer_id].append(iban)
    rows = Customer.objects.filter(company=company).values_list("pk", "name")
    return [
        CustomerHint(pk, name, tuple(ibans.get(pk, ())))
        for pk, name in rows.iterator(chunk_size=CHUNK)
    ]


def compact_iban(iban: str) -> str:
    return "".join(char for char in iban.upper() if char.isalnum())


def candidate_json(candidate: Candidate) -> dict:
    return {
        "customer": candidate.customer_id,
        "shares": [
            {"invoice": share.item_id, "amount": str(share.amount)} for share in candidate.shares
        ],
        "unallocated": str(candidate.unallocated),
        "fee": str(candidate.fee),
        "confidence": str(candidate.confidence),
        "reasons": list(candidate.reasons),
    }


def candidate_from_json(data: dict) -> Candidate:
    return Candidate(
        customer_id=data["customer"],
        shares=tuple(Share(share["invoice"], Decimal(share["amount"])) for share in data["shares"]),
        unallocated=Decimal(data["unallocated"]),
        fee=Decimal(data["fee"]),
        confidence=Decimal(data["confidence"]),
        reasons=tuple(data["reasons"]),
    )


def candidate_key(customer_id: int, invoice_ids) -> tuple[int, frozenset[int]]:
    """What makes two candidates the same for a person: the customer and the items."""
    return customer_id, frozenset(invoice_ids)
