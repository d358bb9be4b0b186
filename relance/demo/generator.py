"""A deterministic demo portfolio: customers with a payer profile, and their invoices, credit
notes, payments and allocations, simulated up to a reference day.

Pure Python: the seed and `today` are arguments, rows come out as tuples whose fields are
the model attribute names, customer by customer, so that any size streams in bounded memory.
Amounts are computed in cents (int) and handed out as Decimal.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from relance.core.records import ItemKind, PayerProfile, PaymentMethod

from .identity import SirenSequence, contacts, identity
from .profiles import behaviour_for, habits_for, settlement_plan

DAYS_PER_MONTH = 30.44


class FirstIds(NamedTuple):
    customer: int = 1
    contact: int = 1
    invoice: int = 1
    payment: int = 1
    allocation: int = 1


@dataclass(frozen=True)
class PortfolioSpec:
    """What to build. `open_share` raises the share of invoices still open at `today` by
    leaving recent payments not yet received; None keeps the profiles' natural share."""

    customers: int
    invoices: int
    today: date
    seed: int = 1
    months: int = 18
    open_share: float | None = None
    currency: str = "EUR"
    consumer_share: float = 0.05
    first_ids: FirstIds = FirstIds()
    collectors: tuple[int | None, ...] = ()
    sales_reps: tuple[int | None, ...] = ()


class CustomerRow(NamedTuple):
    id: int
    code: str
    name: str
    siren: str
    siret: str
    vat_number: str
    is_consumer: bool
    payer_profile: str
    collector_id: int | None
    sales_rep_id: int | None
    address: str
    postal_code: str
    city: str


class ContactRow(NamedTuple):
    id: int
    customer_id: int
    role: str
    name: str
    email: str
    phone: str
    mobile: str


class InvoiceRow(NamedTuple):
    id: int
    customer_id: int
    number: str
    kind: str
    is_credit: bool
    issued_on: date
    due_on: date
    amount: Decimal
    amount_excl_tax: Decimal
    open_amount: Decimal
    currency: str
    is_disputed: bool


class PaymentRow(NamedTuple):
    id: int
    customer_id: int
    received_on: date
    amount: Decimal
    unallocated_amount: Decimal
    currency: str
    method: str
    reference: str
    label: str


class AllocationRow(NamedTuple):
    id: int
    invoice_id: int
    payment_id: int | None
    credit_item_id: int | None
    amount: Decimal
    allocated_on: date


@dataclass
class Block:
    """Everything about one customer."""

    customer: CustomerRow
    contacts: list[ContactRow] = field(default_factory=list)
    invoices: list[InvoiceRow] = field(default_factory=list)
    payments: list[PaymentRow] = field(default_factory=list)
    allocations: list[AllocationRow] = field(default_factory=list)


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class _Ids:
    def __init__(self, first: FirstIds) -> None:
        self.customer = itertools.count(first.customer)
        self.contact = itertools.count(first.contact)
        self.invoice = itertools.count(first.invoice)
        self.payment = itertools.count(first.payment)
        self.allocation = itertools.count(first.allocation)


@dataclass
class _OpenShare:
    """Running count of invoices open at `today`, to steer towards the requested share."""

    target: float | None
    open: int = 0
    total: int = 0

    def wants_open(self) -> bool:
        return self.target is not None and self.open < self.target * (self.total + 1)

    def count(self, is_open: bool) -> None:
        self.total += 1
        self.open += is_open


def generate(spec: PortfolioSpec) -> Iterator[Block]:
    """Yield one Block per customer; the same spec always yields the same rows."""
    rng = random.Random(spec.seed)
    sirens = SirenSequence(rng)
    ids = _Ids(spec.first_ids)
    share = _OpenShare(spec.open_share)
    for index, count in enumerate(invoice_counts(rng, spec.customers, spec.invoices)):
        yield _CustomerSimulation(rng, spec, ids, share).run(index, sirens, count)


def invoice_counts(rng: random.Random, customers: int, invoices: int) -> list[int]:
    """Spread the invoices over customers with a heavy tail: a few big accounts, many small."""
    weights = [min(rng.paretovariate(1.6), 60.0) for _ in range(customers)]
    cumulative = list(itertools.accumulate(weights))
    counts = [0] * customers
    for start in range(0, invoices, 100_000):
        k = min(100_000, invoices - start)
        for index in rng.choices(range(customers), cum_weights=cumulative, k=k):
            counts[index] += 1
    return counts


class _CustomerSimulation:
    def __init__(
        self, rng: random.Random, spec: PortfolioSpec, ids: _Ids, share: _OpenShare
    ) -> None:
        self.rng, self.spec, self.ids, self.share = rng, spec, ids, share
        self.today = spec.today.toordinal()
        self.open_cents: dict[int, int] = {}
        self.settlements: dict[int, list[tuple[int, int]]] = {}
        self.drafts: list[tuple[int, int, int, int, bool]] = []

    def run(self, index: int, sirens: SirenSequence, count: int) -> Block:
        rng, spec = self.rng, self.spec
        customer_id = next(self.ids.customer)
        who = identity(rng, customer_id, sirens, rng.random() < spec.consumer_share)
        self.behaviour = behaviour_for(rng, who.is_consumer)
        # Habits from a generator of their own: the main one draws exactly what it did before.
        own = random.Random(spec.seed * 1_000_003 + customer_id)
        self.behaviour = replace(self.behaviour, habits=habits_for(own, self.behaviour, self.today))
        self.block = Block(
            CustomerRow(
                customer_id,
                f"C{customer_id:07d}",
                who.name,
                who.siren,
                who.siret,
                who.vat_number,
                who.is_consumer,
                self.behaviour.profile.value,
                _pick(spec.collectors, index),
                _pick(spec.sales_reps, index),
                who.address,
                who.postal_code,
                who.city,
            )
        )
        for person in contacts(rng, who):
            self.block.contacts.append(ContactRow(next(self.ids.contact), customer_id, *person))
        first_day = self.today - int(spec.months * DAYS_PER_MONTH)
        for issued in sorted(rng.randrange(first_day, self.today + 1) for _ in range(count)):
            self._invoice(issued)
        self._payments()
        return self.block

    def _invoice(self, issued: int) -> None:
        rng, b = self.rng, self.behaviour
        invoice_id = next(self.ids.invoice)
        cents = max(500, int(rng.lognormvariate(b.mu, 0.7) * 100))
        due = issued + b.terms_days
        remaining = cents - self._credit_note(invoice_id, issued, cents)
        plan, is_disputed = settlement_plan(rng, b, due, remaining)
        if (
            self.share.wants_open()
            and b.profile is not PayerProfile.AUTOMATIC
            and due >= self.today - 180
            and _paid_by(plan, self.today) == remaining
        ):
            plan = []  # payment not received yet: this invoice is still open today
        received = [(day, part) for day, part in plan if day <= self.today]
        self.settlements[invoice_id] = received
        self.open_cents[invoice_id] = remaining
        self.share.count(sum(part for _, part in received) < remaining)
        self.drafts.append((invoice_id, issued, due, cents, is_disputed))

    def _credit_note(self, invoice_id: int, issued: int, cents: int) -> int:
        """About 3 % of invoices get a credit note (full or partial); most settle the invoice."""
        rng = self.rng
        if rng.random() >= 0.03:
            return 0
        day = issued + rng.randint(5, 45)
        if day > self.today:
            return 0
        is_full = rng.random() < 0.3
        credit_cents = cents if is_full else max(100, int(cents * rng.uniform(0.05, 0.5)))
        credit_id = next(self.ids.invoice)
        is_allocated = rng.random() < 0.9
        when = date.fromordinal(day)
        self.block.invoices.append(
            _item_row(
                credit_id,
                self.block.customer.id,
                ItemKind.CREDIT_NOTE,
                when,
                when,
                credit_cents,
                0 if is_allocated else credit_cents,
                self.spec.currency,
                False,
            )
        )
        if not is_allocated:
            return 0
        self.block.allocations.append(
            AllocationRow(
                next(self.ids.allocation), invoice_id, None, credit_id, money(credit_cents), when
            )
        )
        return credit_cents

    def _payments(self) -> None:
        """Group what is received on the same day into one payment, one allocation per item."""
        by_day: dict[int, list[tuple[int, int]]] = {}
        for invoice_id, received in self.settlements.items():
            for day, part in received:
                by_day.setdefault(day, []).append((invoice_id, part))
        for day in sorted(by_day):
            self._payment(date.fromordinal(day), by_day[day])
        self._invoice_rows()

    def _payment(self, when: date, parts: list[tuple[int, int]]) -> None:
        rng, b = self.rng, self.behaviour
        payment_id = next(self.ids.payment)
        extra = rng.randint(100, 5000) if b.overpays and rng.random() < 0.01 else 0
        total = sum(part for _, part in parts) + extra
        method = b.method(rng)
        self.block.payments.append(
            PaymentRow(
                payment_id,
                self.block.customer.id,
                when,
                money(total),
                money(extra),
                self.spec.currency,
                method.value,
                f"{_REFERENCE[method]}{payment_id:08d}",
                _payment_label(len(parts)),
            )
        )
        for invoice_id, part in parts:
            self.open_cents[invoice_id] -= part
            self.block.allocations.append(
                AllocationRow(
                    next(self.ids.allocation), invoice_id, payment_id, None, money(part), when
                )
            )

    def _invoice_rows(self) -> None:
        for invoice_id, issued, due, cents, is_disputed in self.drafts:
            open_cents = self.open_cents[invoice_id]
            self.block.invoices.append(
                _item_row(
                    invoice_id,
                    self.block.customer.id,
                    ItemKind.INVOICE,
                    date.fromordinal(issued),
                    date.fromordinal(due),
                    cents,
                    open_cents,
                    self.spec.currency,
                    is_disputed and open_cents > 0,
                )
            )
        self.block.invoices.sort(key=lambda row: row.id)


_REFERENCE = {
    PaymentMethod.TRANSFER: "VIR",
    PaymentMethod.CHEQUE: "CHQ",
    PaymentMethod.LCR: "LCR",
    PaymentMethod.CARD: "CB",
    PaymentMethod.DIRECT_DEBIT: "PRLV",
}


def _payment_label(items: int) -> str:
    return "Règlement facture" if items == 1 else f"Règlement de {items} factures"


def _item_row(
    item_id: int,
    customer_id: int,
    kind: ItemKind,
    issued: date,
    due: date,
    cents: int,
    open_cents: int,
    currency: str,
    is_disputed: bool,
) -> InvoiceRow:
    prefix = "AV" if kind is ItemKind.CREDIT_NOTE else "FA"
    return InvoiceRow(
        item_id,
        customer_id,
        f"{prefix}{issued.year}-{item_id:07d}",
        kind.value,
        kind is ItemKind.CREDIT_NOTE,
        issued,
        due,
        money(cents),
        money((cents * 5 + 3) // 6),
        money(open_cents),
        currency,
        is_disputed,
    )


def _paid_by(plan: list[tuple[int, int]], day: int) -> int:
    return sum(part for when, part in plan if when <= day)


def _pick(values: tuple[int | None, ...], index: int) -> int | None:
    return values[index % len(values)] if values else None
