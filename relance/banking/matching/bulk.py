"""Applying the sure matches of a run in bulk: the records `apply_candidate` writes for one
line, written set-based for BATCH lines per transaction (50,000 lines: seconds, not the
minutes of one transaction and some thirty queries per line).

Per batch, in one transaction:
1. the batch's bank lines and items are read again and locked (FOR UPDATE on PostgreSQL;
   SQLite transactions are IMMEDIATE, one writer at a time). A line is left to the per-line
   `apply_candidate`, after the batch, when it is no longer unmatched, when one of its items
   moved since `run_matching` read it (paid, reopened or deleted meanwhile: its open amount
   is not what the run expects) or when it does not fit the checks `apply_candidate` makes;
   so are the later lines touching the same items, in their order. That path applies the
   line or refuses it with MatchError (the line is then proposed), as it always did.
2. Payments (with what no item takes left unallocated), fee write-offs (allocated whole),
   allocations, matches and learned IBANs are inserted in bulk under reserved ids; the items'
   open amounts, computed exactly from the locked values, and the lines' status and payment
   are updated in one statement each; open proposals of the applied lines are deleted.
3. The thank-you check (relance.banking.matching.thanks) and the cancellation of the
   reminders the batch made pointless (relance.dunning.settled), once for the batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from relance.api import webhooks
from relance.core.bank.records import BankLine as LineRecord
from relance.core.matching import Candidate
from relance.core.records import ItemKind, PaymentMethod
from relance.dunning.settled import cancel_settled_reminders
from relance.ledger.bulk import BulkTable, insert_ignoring_conflicts, reserve_ids, update_by_id
from relance.ledger.models import Allocation, Company, Customer, Invoice, Payment
from relance.reports.cache import bump

from ..convert import compact_iban
from ..models import BankLine, CustomerIBAN, Match, MatchProposal
from .apply import FEE_LABEL, MatchError, apply_candidate, check_amounts
from .thanks import LineCredit, thank_settled

BATCH = 2000
ZERO = Decimal(0)


@dataclass(frozen=True)
class SureLine:
    """A bank line (its id and core record) and the sure candidate to apply."""

    line_id: int
    line: LineRecord
    candidate: Candidate


@dataclass
class _Book:
    """What the run expects of each item: the open amount it read, less what it applied."""

    expected: dict[int, Decimal]
    moved: set[int] = field(default_factory=set)  # items left to the per-line path
    numbers: dict[int, str] = field(default_factory=dict)


def apply_sure(
    company: Company,
    lines: Sequence[SureLine],
    open_amounts: dict[int, Decimal],
    *,
    user=None,
    batch: int | None = None,
) -> set[int]:
    """Apply the sure matches in line order, as `apply_candidate` would one by one (module
    docstring); `open_amounts` are the items' open amounts the core was given. Returns the
    ids of the lines applied; the others were refused and are to be proposed."""
    book = _Book(dict(open_amounts))
    batch = batch or BATCH
    applied: set[int] = set()
    for start in range(0, len(lines), batch):
        with transaction.atomic():
            together, one_by_one = _split(company, lines[start : start + batch], book)
            _write(company, together, book, user)
        applied.update(sure.line_id for sure in together)
        applied.update(sure.line_id for sure in one_by_one if _apply_one(sure, user))
    return applied


# --- 1. what can go together ------------------------------------------------------------------


def _split(company: Company, chunk: Sequence[SureLine], book: _Book):
    """(lines applied in bulk, lines left to apply_candidate), each in line order; the
    expected open amounts move with the bulk ones."""
    items = _locked_items(company, {s.item_id for sure in chunk for s in sure.candidate.shares})
    for item_id in book.expected.keys() & items.keys():
        if items[item_id][1] != book.expected[item_id]:
            book.moved.add(item_id)
    unmatched = set(
        BankLine.objects.select_for_update()
        .filter(pk__in=[sure.line_id for sure in chunk], status=BankLine.Status.UNMATCHED)
        .values_list("pk", flat=True)
    )
    # An item's customer is known; only a candidate without items needs its customer read.
    known = {row[0] for row in items.values()}
    known |= _customers(company, {s.candidate.customer_id for s in chunk if not s.candidate.shares})
    together, one_by_one = [], []
    for sure in chunk:
        if sure.line_id in unmatched and _fits(sure, items, known, book):
            for share in sure.candidate.shares:
                book.expected[share.item_id] -= share.amount
            together.append(sure)
        else:
            one_by_one.append(sure)
            book.moved.update(share.item_id for share in sure.candidate.shares)
    book.numbers.update({pk: row[3] for pk, row in items.items()})
    return together, one_by_one


def _locked_items(company: Company, ids: set[int]) -> dict[int, tuple]:
    """The debit items among `ids`: customer, open amount, currency, number (locked)."""
    rows = (
        Invoice.objects.select_for_update()
        .filter(pk__in=sorted(ids), company=company, is_credit=False)
        .order_by("pk")
        .values_list("pk", "customer_id", "open_amount", "currency", "number")
    )
    return {row[0]: row[1:] for row in rows}


def _customers(company: Company, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(Customer.objects.filter(company=company, pk__in=ids).values_list("pk", flat=True))


def _fits(sure: SureLine, items: dict[int, tuple], known: set[int], book: _Book) -> bool:
    """The checks apply_candidate makes, against the locked rows and what the batch took."""
    candidate = sure.candidate
    try:
        check_amounts(sure.line, candidate)
    except MatchError:
        return False
    if candidate.customer_id not in known:
        return False
    ids = [share.item_id for share in candidate.shares]
    if len(set(ids)) != len(ids):
        return False
    for share in candidate.shares:
        item = items.get(share.item_id)
        if item is None or share.item_id in book.moved or share.item_id not in book.expected:
            return False
        customer_id, _, currency, _ = item
        if customer_id != candidate.customer_id or currency != sure.line.currency:
            return False
        if share.amount > book.expected[share.item_id]:
            return False
    return True


def _apply_one(sure: SureLine, user) -> bool:
    line = BankLine.objects.select_related("company").get(pk=sure.line_id)
    try:
        apply_candidate(line, sure.candidate, method=Match.Method.AUTO, user=user)
    except MatchError:
        return False
    return True


# --- 2. writing -------------------------------------------------------------------------------

PAYMENT_FIELDS = (
    "id",
    "customer_id",
    "received_on",
    "amount",
    "unallocated_amount",
    "currency",
    "method",
    "reference",
    "label",
    "source_key",
)
FEE_FIELDS = (
    "id",
    "customer_id",
    "number",
    "kind",
    "is_credit",
    "issued_on",
    "due_on",
    "amount",
    "open_amount",
    "currency",
    "label",
)
ALLOCATION_FIELDS = (
    "invoice_id",
    "payment_id",
    "credit_item_id",
    "amount",
    "allocated_on",
    "created_by_id",
)
MATCH_FIELDS = (
    "id",
    "bank_line_id",
    "customer_id",
    "payment_id",
    "written_item_id",
    "method",
    "confidence",
    "reasons",
    "shares",
    "unallocated",
    "fee",
    "made_by_id",
)

IBAN_FIELDS = ("customer_id", "iban", "learned_from_id")


@dataclass
class _Rows:
    payments: list[tuple] = field(default_factory=list)
    fees: list[tuple] = field(default_factory=list)
    allocations: list[tuple] = field(default_factory=list)
    matches: list[tuple] = field(default_factory=list)
    ibans: list[tuple] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)
    credits: list[LineCredit] = field(default_factory=list)


def _write(company: Company, together: list[SureLine], book: _Book, user) -> None:
    if not together:
        return
    payment_ids = reserve_ids(Payment, len(together))
    fee_ids = iter(reserve_ids(Invoice, sum(1 for sure in together if sure.candidate.fee > 0)))
    match_ids = reserve_ids(Match, len(together))
    rows = _Rows()
    running = _running(together, book)
    user_id = user.pk if user is not None else None
    for sure, payment_id, match_id in zip(together, payment_ids, match_ids, strict=True):
        fee_id = next(fee_ids) if sure.candidate.fee > 0 else None
        _rows_of(rows, sure, payment_id, fee_id, match_id, user_id, book, running)
    constants = {"company_id": company.pk}
    BulkTable(Payment, PAYMENT_FIELDS, constants).write(rows.payments)
    BulkTable(Invoice, FEE_FIELDS, constants).write(rows.fees)
    BulkTable(Allocation, ALLOCATION_FIELDS, constants).write(rows.allocations)
    item_ids = sorted({s.item_id for sure in together for s in sure.candidate.shares})
    open_after = [(pk, book.expected[pk]) for pk in item_ids]  # book.expected: after the batch
    update_by_id(Invoice, [("open_amount", "numeric")], open_after)
    _claim(rows.lines)
    BulkTable(Match, MATCH_FIELDS, constants).write(rows.matches)
    insert_ignoring_conflicts(CustomerIBAN, IBAN_FIELDS, rows.ibans, constants)
    line_ids = [sure.line_id for sure in together]
    MatchProposal.objects.filter(bank_line_id__in=line_ids, rejected_at__isnull=True).delete()
    thank_settled(rows.credits)
    cancel_settled_reminders(item_ids)
    webhooks.payments_received(company, payment_ids)  # payment.received, set-based
    bump(company)  # once per chunk of lines: the dashboard reads the ledger anew


def _running(together: list[SureLine], book: _Book) -> dict[int, Decimal]:
    """The batch's items' open amounts before it (book.expected already holds the after)."""
    shares = [share for sure in together for share in sure.candidate.shares]
    before = {share.item_id: book.expected[share.item_id] for share in shares}
    for share in shares:
        before[share.item_id] += share.amount
    return before


def _rows_of(rows: _Rows, sure, payment_id, fee_id, match_id, user_id, book, running) -> None:
    """One line's rows, in the order apply_candidate writes them."""
    line, candidate = sure.line, sure.candidate
    shared = sum((share.amount for share in candidate.shares), ZERO)
    left = line.amount - shared + candidate.fee
    rows.payments.append(
        (payment_id, candidate.customer_id, line.booked_on, line.amount, left, line.currency)
        + (PaymentMethod.TRANSFER.value, (line.end_to_end_id or line.bank_reference)[:120])
        + ((line.counterparty_name or line.remittance)[:200], f"bank-line:{sure.line_id}")
    )
    if fee_id is not None:
        rows.fees.append(
            (fee_id, candidate.customer_id, f"FRAIS-BQ-{sure.line_id}", ItemKind.ADJUSTMENT.value)
            + (True, line.booked_on, line.booked_on, candidate.fee, ZERO, line.currency, FEE_LABEL)
        )
    settles = _allocations(rows, sure, payment_id, fee_id, user_id, running)
    shares = [
        {"invoice": s.item_id, "number": book.numbers[s.item_id], "amount": str(s.amount)}
        for s in candidate.shares
    ]
    rows.matches.append(
        (match_id, sure.line_id, candidate.customer_id, payment_id, fee_id, Match.Method.AUTO)
        + (candidate.confidence, json.dumps(list(candidate.reasons)), json.dumps(shares))
        + (left, candidate.fee, user_id)
    )
    iban = compact_iban(line.counterparty_iban)
    if iban:
        rows.ibans.append((candidate.customer_id, iban, match_id))
    rows.lines.append((sure.line_id, BankLine.Status.MATCHED.value, payment_id))
    credit = line.amount + candidate.fee  # what the line takes off the customer's balance
    rows.credits.append(
        LineCredit(candidate.customer_id, line.currency, line.booked_on, credit, settles)
    )


def _allocations(rows: _Rows, sure, payment_id, fee_id, user_id, running) -> bool:
    """The fee is written off on the last items first, the payment pays the rest (as
    apply._allocate); True when the line settles one of its items."""
    line, candidate = sure.line, sure.candidate
    fee_left, settles = candidate.fee, False
    for share in reversed(candidate.shares):
        written = min(fee_left, share.amount)
        fee_left -= written
        if written:
            rows.allocations.append((share.item_id, None, fee_id, written, line.booked_on, user_id))
        if share.amount - written:
            rows.allocations.append(
                (share.item_id, payment_id, None, share.amount - written, line.booked_on, user_id)
            )
        running[share.item_id] -= share.amount
        settles = settles or running[share.item_id] == 0
    return settles


def _claim(lines: list[tuple]) -> None:
    """Matched, pointing to their payment; only unmatched lines (locked above) are taken."""
    changed = update_by_id(
        BankLine, [("status", "text"), ("payment_id", "bigint")], lines, "status = 'unmatched'"
    )
    if changed != len(lines):  # the lock makes this impossible; never write half a batch
        raise MatchError("ligne déjà rapprochée ou ignorée")
