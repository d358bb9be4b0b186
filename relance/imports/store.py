"""Writes parsed records into the ledger, in bulk, idempotently.

Identity of what is imported:
- customers by their code, contacts by (customer, role, name);
- items (invoices, credit notes, openings...) and payments by their `source_key`, which the
  parsers derive from the content of the line, so that importing a file again, or a file
  that overlaps an earlier one, finds the records already there;
- allocations by the pair of records they link.

A new item or payment is written with its open amount already net of the allocations that
link it to other new records of the same import; allocations that touch records already in
the database go through `relance.ledger.services.allocate`, which the CHECK constraints guard.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db import connection

from relance.core.records import (
    AllocationRecord,
    ContactRecord,
    CustomerRecord,
    ItemKind,
    ItemRecord,
    PaymentRecord,
    Rejection,
)
from relance.ledger import services as ledger
from relance.ledger.bulk import BulkTable, lookup, reserve_ids
from relance.ledger.models import (
    DUNNING_UNKNOWN,
    Allocation,
    Company,
    Contact,
    Customer,
    Invoice,
    Payment,
)

from .report import ImportReport

ITEM_COUNTER = {
    ItemKind.INVOICE: "invoices",
    ItemKind.CREDIT_NOTE: "credit_notes",
    ItemKind.OPENING: "openings",
    ItemKind.ADJUSTMENT: "adjustments",
    ItemKind.REFUND: "refunds",
}
CUSTOMER_FIELDS = [f.name for f in fields(CustomerRecord) if f.name not in {"line", "code"}]
CONTACT_FIELDS = [
    "email",
    "phone",
    "mobile",
    "address",
    "postal_code",
    "city",
    "country",
    "preferred_channel",
]
BATCH = 2000


@dataclass
class Ledger:
    """What one import knows of the company's ledger: ids by code and by source key."""

    company: Company
    batch_id: int | None
    report: ImportReport
    customers: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    payments: dict[str, int] = field(default_factory=dict)
    new_keys: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)  # item numbers this import gave out
    # True when the company had no item and no payment before this import: lookups of
    # existing records are then skipped (the first import of a large ledger).
    is_fresh: bool = False
    tables: dict[tuple, BulkTable] = field(default_factory=dict)

    def table(self, model, columns: tuple[str, ...]) -> BulkTable:
        """A prepared bulk INSERT for this company's rows of `model`."""
        key = (model, columns)
        if key not in self.tables:
            self.tables[key] = BulkTable(model, columns, {"company_id": self.company.pk})
        return self.tables[key]

    def reject(self, line: int, reason: str) -> None:
        self.report.rejected.append(Rejection(line=line, reason=reason))


# --- customers and contacts -------------------------------------------------------------


def store_customers(book: Ledger, records: list[CustomerRecord]) -> None:
    """Create new customers, update changed ones (only the fields the file gives)."""
    existing = {
        c.code: c
        for c in Customer.objects.filter(
            pk__in=[
                pk for _, pk in lookup(Customer, "code", [r.code for r in records], book.company.pk)
            ]
        )
    }
    new: dict[str, dict] = {}
    to_update, changed_fields = [], set()
    for record in records:
        values = _customer_values(record)
        if record.code in new:
            new[record.code].update(values)
            continue
        customer = existing.get(record.code)
        if customer is None:
            new[record.code] = values
            continue
        diff = {k: v for k, v in values.items() if getattr(customer, k) != v}
        if not diff:
            book.report.unchanged["customers"] += 1
            continue
        for name, value in diff.items():
            setattr(customer, name, value)
        changed_fields.update(diff)
        if customer not in to_update:
            to_update.append(customer)
            book.report.updated["customers"] += 1
    _create_customers(book, new)
    if to_update:
        Customer.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH)
        if "payer_profile" in changed_fields:  # their invoices may follow another scenario
            for start in range(0, len(to_update), BATCH):
                chunk = [c.pk for c in to_update[start : start + BATCH]]
                _forget_next_steps(Invoice.objects.filter(customer_id__in=chunk))
    book.customers.update({code: c.pk for code, c in existing.items()})


def _create_customers(book: Ledger, new: dict[str, dict]) -> None:
    """Insert new customers, grouped by the set of fields their lines give."""
    groups: dict[tuple[str, ...], list[tuple[str, dict]]] = defaultdict(list)
    for code, values in new.items():
        groups[tuple(sorted(values))].append((code, values))
    for columns, members in groups.items():
        ids = reserve_ids(Customer, len(members))
        book.table(Customer, ("id", "code", *columns)).write(
            (pk, code, *(values[c] for c in columns))
            for pk, (code, values) in zip(ids, members, strict=True)
        )
        book.customers.update({code: pk for pk, (code, _) in zip(ids, members, strict=True)})
    book.report.created["customers"] += len(new)


def _customer_values(record: CustomerRecord) -> dict:
    """The fields a customer line sets: empty cells leave the stored value alone."""
    values = {}
    for name in CUSTOMER_FIELDS:
        value = getattr(record, name)
        if value is None or value == "":
            continue
        if name == "payer_profile":
            value = value.value
        elif name in {"email", "phone"}:
            continue  # they belong to the billing contact, see store_customer_contacts
        values[name] = value
    return values


def store_customer_contacts(book: Ledger, records: list[CustomerRecord]) -> None:
    """A customer file with an e-mail or phone gives the customer a billing contact."""
    contacts = [
        ContactRecord(
            line=r.line,
            customer_code=r.code,
            name=r.name,
            role="billing",
            email=r.email,
            phone=r.phone,
        )
        for r in records
        if r.email or r.phone
    ]
    if contacts:
        store_contacts(book, contacts)


def store_contacts(book: Ledger, records: list[ContactRecord]) -> None:
    ensure_customers(
        book, {r.customer_code: "" for r in records}, {r.customer_code: r.line for r in records}
    )
    known = [r for r in records if r.customer_code in book.customers]
    existing = {
        (c.customer_id, c.role, c.name): c
        for c in Contact.objects.filter(
            customer_id__in={book.customers[r.customer_code] for r in known}
        )
    }
    to_create, to_update = [], []
    for record in known:
        key = (book.customers[record.customer_code], record.role, record.name)
        values = {k: getattr(record, k) for k in CONTACT_FIELDS if getattr(record, k)}
        contact = existing.get(key)
        if contact is None:
            contact = existing[key] = Contact(
                customer_id=key[0], role=record.role, name=record.name, **values
            )
            to_create.append(contact)
        elif any(getattr(contact, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(contact, name, value)
            to_update.append(contact)
        else:
            book.report.unchanged["contacts"] += 1
    Contact.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        Contact.objects.bulk_update(to_update, CONTACT_FIELDS, batch_size=BATCH)
    book.report.created["contacts"] += len(to_create)
    book.report.updated["contacts"] += len(to_update)


def ensure_customers(book: Ledger, names: dict[str, str], lines: dict[str, int]) -> None:
    """Find the customers these codes refer to; create those with a name, reject the others."""
    missing = [code for code in names if code not in book.customers]
    if not missing:
        return
    found = dict(lookup(Customer, "code", missing, book.company.pk))
    book.customers.update(found)
    new = [(code, names[code][:200]) for code in missing if code not in found and names[code]]
    ids = reserve_ids(Customer, len(new))
    book.table(Customer, ("id", "code", "name")).write(
        (pk, *row) for pk, row in zip(ids, new, strict=True)
    )
    book.customers.update({code: pk for pk, (code, _) in zip(ids, new, strict=True)})
    book.report.created["customers"] += len(new)
    for code in missing:
        if code not in book.customers:
            book.reject(lines[code], f"client inconnu : {code} (ajoutez son nom ou importez-le)")


# --- items, payments, allocations --------------------------------------------------------


def store_entries(
    book: Ledger,
    items: list[ItemRecord],
    payments: list[PaymentRecord],
    allocations: list[AllocationRecord],
) -> None:
    """Store items and payments, then the allocations between them.

    Invoice lines with `paid_on` (a history kept in Excel) bring their own payment and
    allocation, derived here. Lookups go by chunks to stay within the database's limit on
    query parameters."""
    derived_payments, derived_allocations = _payments_from_paid_items(items)
    payments = payments + derived_payments
    allocations = allocations + derived_allocations
    for start in range(0, max(len(items), len(payments)), BATCH):
        item_chunk, payment_chunk = items[start : start + BATCH], payments[start : start + BATCH]
        ensure_customers(book, _names(item_chunk, payment_chunk), _lines(item_chunk, payment_chunk))
        _find_existing(book, item_chunk, payment_chunk)
    reserved = _allocated_between_new(book, allocations)
    for start in range(0, max(len(items), len(payments)), BATCH):
        _create_items(
            book,
            [
                r
                for r in items[start : start + BATCH]
                if r.customer_code in book.customers and r.source_key not in book.items
            ],
            reserved,
        )
        _create_payments(
            book,
            [
                r
                for r in payments[start : start + BATCH]
                if r.customer_code in book.customers and r.source_key not in book.payments
            ],
            reserved,
        )
    _store_allocations(book, allocations)


def _names(items: Iterable[ItemRecord], payments: Iterable[PaymentRecord]) -> dict[str, str]:
    names: dict[str, str] = {}
    for record in (*items, *payments):
        if record.customer_name or record.customer_code not in names:
            names[record.customer_code] = record.customer_name
    return names


def _lines(items: Iterable[ItemRecord], payments: Iterable[PaymentRecord]) -> dict[str, int]:
    lines: dict[str, int] = {}
    for record in (*items, *payments):
        lines.setdefault(record.customer_code, record.line)
    return lines


def _payments_from_paid_items(items: list[ItemRecord]):
    payments, allocations = [], []
    for item in items:
        if item.paid_on is None or item.is_credit:
            continue
        amount = item.paid_amount if item.paid_amount is not None else item.amount
        if amount <= 0:
            continue
        key = f"paid:{item.source_key}"
        payments.append(
            PaymentRecord(
                line=item.line,
                source_key=key,
                customer_code=item.customer_code,
                # With its name, the payment can create its customer: payments are looked up
                # in chunks of their own, which need not hold the invoice that names it.
                customer_name=item.customer_name,
                received_on=item.paid_on,
                amount=amount,
                currency=item.currency,
                reference=item.number,
                invoice_number=item.number,
            )
        )
        allocations.append(
            AllocationRecord(
                debit_key=item.source_key,
                credit_key=key,
                amount=min(amount, item.amount),
                allocated_on=item.paid_on,
            )
        )
    return payments, allocations


def _find_existing(book: Ledger, items: list[ItemRecord], payments: list[PaymentRecord]) -> None:
    if book.is_fresh:
        return  # nothing to find: the company had no item nor payment before this import
    company = book.company.pk
    keys = [r.source_key for r in items if r.source_key not in book.items]
    book.items.update(lookup(Invoice, "source_key", keys, company))
    # A document file identifies invoices by their number (source key "inv:<number>"): an
    # invoice with that number that came from elsewhere (the FEC, a form) is the same one.
    by_number = {
        r.number: r.source_key
        for r in items
        if r.source_key not in book.items and r.source_key == f"inv:{r.number}"
    }
    for number, pk in lookup(Invoice, "number", list(by_number), company):
        book.items[by_number[number]] = pk
    keys = [r.source_key for r in payments if r.source_key not in book.payments]
    book.payments.update(lookup(Payment, "source_key", keys, company))
    _update_items(
        book, [r for r in items if r.source_key in book.items and r.source_key not in book.new_keys]
    )
    for record in payments:
        if record.source_key in book.payments and record.source_key not in book.new_keys:
            book.report.unchanged["payments"] += 1


UPDATABLE = (
    "issued_on",
    "due_on",
    "amount",
    "amount_excl_tax",
    "currency",
    "po_reference",
    "is_disputed",
)


def _update_items(book: Ledger, records: list[ItemRecord]) -> None:
    """An item imported again with other dates or amounts is corrected; the open amount moves
    by the change of amount, and may not fall below what is already settled."""
    if not records:
        return
    stored = {
        row[0]: row[1:]
        for row in Invoice.objects.filter(
            pk__in=[book.items[r.source_key] for r in records]
        ).values_list("pk", "number", "open_amount", *UPDATABLE)
    }
    day = connection.ops.adapt_datefield_value
    unknown = day(DUNNING_UNKNOWN)  # a new due date: the run works out the next step again
    changes = []
    for record in records:
        pk = book.items[record.source_key]
        number, open_amount, *current = stored[pk]
        wanted = [getattr(record, name) for name in UPDATABLE]
        if wanted == current:
            book.report.unchanged[ITEM_COUNTER[record.kind]] += 1
            continue
        open_amount += record.amount - current[UPDATABLE.index("amount")]
        if open_amount < 0:
            book.reject(record.line, f"{number} : nouveau montant inférieur au déjà réglé")
            continue
        issued_on, due_on, *rest = wanted
        changes.append((day(issued_on), day(due_on), *rest, open_amount, unknown, pk))
        book.report.updated[ITEM_COUNTER[record.kind]] += 1
    if changes:
        quote = connection.ops.quote_name
        assignments = ", ".join(
            f"{quote(name)} = %s" for name in (*UPDATABLE, "open_amount", "dunning_next_on")
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(Invoice._meta.db_table)} SET {assignments} WHERE id = %s", changes
            )


def _forget_next_steps(invoices) -> None:
    """The dunning run works out these invoices' next step again (Invoice.dunning_next_on)."""
    invoices.exclude(dunning_next_on=DUNNING_UNKNOWN).update(dunning_next_on=DUNNING_UNKNOWN)


def _allocated_between_new(book: Ledger, allocations: list[AllocationRecord]) -> Counter[str]:
    """Amounts that allocations between records not yet stored take from each of them."""
    reserved: Counter[str] = Counter()
    for allocation in allocations:
        if not (_is_stored(book, allocation.debit_key) or _is_stored(book, allocation.credit_key)):
            reserved[allocation.debit_key] += allocation.amount
            reserved[allocation.credit_key] += allocation.amount
    return reserved


def _is_stored(book: Ledger, key: str) -> bool:
    # Two lookups, not a union of the key sets: that would copy every key of the import on
    # each chunk (quadratic on a million-line file).
    return key in book.items or key in book.payments


ITEM_COLUMNS = (
    "id",
    "customer_id",
    "number",
    "kind",
    "is_credit",
    "issued_on",
    "due_on",
    "amount",
    "amount_excl_tax",
    "open_amount",
    "currency",
    "po_reference",
    "label",
    "is_disputed",
    "source_key",
    "import_batch_id",
)
PAYMENT_COLUMNS = (
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
    "import_batch_id",
)
ALLOCATION_COLUMNS = ("invoice_id", "payment_id", "credit_item_id", "amount", "allocated_on")


def _create_items(book: Ledger, records: list[ItemRecord], reserved: Counter[str]) -> None:
    numbers = _free_numbers(book, records)
    day = connection.ops.adapt_datefield_value
    rows, kept = [], []
    for record in records:
        open_amount = record.amount - reserved.get(record.source_key, Decimal(0))
        if open_amount < 0:
            book.reject(record.line, "lettrage supérieur au montant de la pièce")
            continue
        kept.append(record)
        rows.append(
            (
                book.customers[record.customer_code],
                numbers[record.source_key],
                record.kind.value,
                record.is_credit,
                day(record.issued_on),
                day(record.due_on),
                record.amount,
                record.amount_excl_tax,
                open_amount,
                record.currency,
                record.po_reference[:60],
                record.label[:200],
                record.is_disputed,
                record.source_key,
                book.batch_id,
            )
        )
    ids = reserve_ids(Invoice, len(rows))
    book.table(Invoice, ITEM_COLUMNS).write((pk, *row) for pk, row in zip(ids, rows, strict=True))
    for pk, record in zip(ids, kept, strict=True):
        book.items[record.source_key] = pk
        book.new_keys.add(record.source_key)
        book.report.created[ITEM_COUNTER[record.kind]] += 1


def _free_numbers(book: Ledger, records: list[ItemRecord]) -> dict[str, str]:
    """The record's number, or the number with a suffix when another item already has it
    (two ledger entries may share a piece reference, two fiscal years a generated number)."""
    wanted = {r.source_key: r.number[:60] for r in records}
    taken = book.numbers
    if not book.is_fresh:
        taken |= {
            n for n, _ in lookup(Invoice, "number", list(set(wanted.values())), book.company.pk)
        }
    numbers = {}
    for key, number in wanted.items():
        candidate, n = number, 1
        while candidate in taken or (
            n > 1 and not book.is_fresh and _number_exists(book, candidate)
        ):
            n += 1
            candidate = f"{number[:55]}-{n}"
        taken.add(candidate)
        numbers[key] = candidate
    return numbers


def _number_exists(book: Ledger, number: str) -> bool:
    return Invoice.objects.filter(company=book.company, number=number).exists()


def _create_payments(book: Ledger, records: list[PaymentRecord], reserved: Counter[str]) -> None:
    day = connection.ops.adapt_datefield_value
    rows, kept = [], []
    for record in records:
        unallocated = record.amount - reserved.get(record.source_key, Decimal(0))
        if unallocated < 0:
            book.reject(record.line, "lettrage supérieur au montant du règlement")
            continue
        kept.append(record)
        rows.append(
            (
                book.customers[record.customer_code],
                day(record.received_on),
                record.amount,
                unallocated,
                record.currency,
                record.method.value,
                record.reference[:120],
                record.label[:200],
                record.source_key,
                book.batch_id,
            )
        )
    ids = reserve_ids(Payment, len(rows))
    book.table(Payment, PAYMENT_COLUMNS).write(
        (pk, *row) for pk, row in zip(ids, rows, strict=True)
    )
    for pk, record in zip(ids, kept, strict=True):
        book.payments[record.source_key] = pk
        book.new_keys.add(record.source_key)
    book.report.created["payments"] += len(rows)


def _store_allocations(book: Ledger, allocations: list[AllocationRecord]) -> None:
    fresh, touching_stored = [], []
    for allocation in allocations:
        if allocation.debit_key not in book.items:
            continue  # its item was rejected
        credit_known = allocation.credit_key in book.items or allocation.credit_key in book.payments
        if not credit_known:
            continue
        both_new = allocation.debit_key in book.new_keys and allocation.credit_key in book.new_keys
        (fresh if both_new else touching_stored).append(allocation)
    day = connection.ops.adapt_datefield_value
    for start in range(0, len(fresh), BATCH):
        rows = (_allocation_row(book, a) for a in fresh[start : start + BATCH])
        book.table(Allocation, ALLOCATION_COLUMNS).write((*row[:4], day(row[4])) for row in rows)
    book.report.created["allocations"] += len(fresh)
    for start in range(0, len(touching_stored), BATCH):
        _apply_allocations(book, touching_stored[start : start + BATCH])


def _allocation_row(book: Ledger, allocation: AllocationRecord) -> tuple:
    """(invoice_id, payment_id, credit_item_id, amount, allocated_on) of an allocation."""
    payment_id = book.payments.get(allocation.credit_key)
    credit_item_id = None if payment_id else book.items[allocation.credit_key]
    return (
        book.items[allocation.debit_key],
        payment_id,
        credit_item_id,
        allocation.amount,
        allocation.allocated_on,
    )


def _apply_allocations(book: Ledger, allocations: list[AllocationRecord]) -> None:
    """Allocations touching records of an earlier import: skip those already there."""
    if not allocations:
        return
    pairs = defaultdict(set)
    for row in Allocation.objects.filter(
        invoice_id__in=[book.items[a.debit_key] for a in allocations]
    ).values("invoice_id", "payment_id", "credit_item_id"):
        pairs[row["invoice_id"]].add((row["payment_id"], row["credit_item_id"]))
    for allocation in allocations:
        invoice_id, payment_id, credit_item_id, _, _ = _allocation_row(book, allocation)
        if (payment_id, credit_item_id) in pairs[invoice_id]:
            book.report.unchanged["allocations"] += 1
            continue
        invoice = Invoice.objects.get(pk=invoice_id)
        source = (
            {"payment": Payment.objects.get(pk=payment_id)}
            if payment_id
            else {"credit_item": Invoice.objects.get(pk=credit_item_id)}
        )
        try:
            ledger.allocate(invoice, allocation.amount, allocation.allocated_on, **source)
        except ledger.AllocationError as error:
            book.reject(0, f"lettrage {invoice.number} non appliqué : {error}")
            continue
        book.report.created["allocations"] += 1
