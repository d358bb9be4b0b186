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
from relance.ledger.models import Allocation, Company, Contact, Customer, Invoice, Payment

from .report import ImportReport

ITEM_COUNTER = {
    ItemKind.INVOICE: "invoices",
    ItemKind.CREDIT_NOTE: "credit_notes",
    ItemKind.OPENING: "openings",
    ItemKind.ADJUSTMENT: "adjustments",
    ItemKind.REFUND: "refunds",
}
CUSTOMER_FIELDS = [f.name for f in fields(CustomerRecord) if f.name not in {"line", "code"}]
CONTACT_FIELDS = ["email", "phone", "mobile", "address", "postal_code", "city", "country",
                  "preferred_channel"]
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

    def reject(self, line: int, reason: str) -> None:
        self.report.rejected.append(Rejection(line=line, reason=reason))


# --- customers and contacts -------------------------------------------------------------


def store_customers(book: Ledger, records: list[CustomerRecord]) -> None:
    """Create new customers, update changed ones (only the fields the file gives)."""
    existing = {c.code: c for c in Customer.objects.filter(company=book.company,
                                                          code__in=[r.code for r in records])}
    to_create, to_update, changed_fields = [], [], set()
    for record in records:
        values = _customer_values(record)
        customer = existing.get(record.code)
        if customer is None:
            customer = Customer(company=book.company, code=record.code, **values)
            existing[record.code] = customer
            to_create.append(customer)
            continue
        diff = {k: v for k, v in values.items() if getattr(customer, k) != v}
        if diff:
            for name, value in diff.items():
                setattr(customer, name, value)
            changed_fields.update(diff)
            if customer not in to_create and customer not in to_update:
                to_update.append(customer)
                book.report.updated["customers"] += 1
        elif customer not in to_create:
            book.report.unchanged["customers"] += 1
    Customer.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        Customer.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH)
    book.report.created["customers"] += len(to_create)
    book.customers.update({c.code: c.pk for c in existing.values()})


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
        ContactRecord(line=r.line, customer_code=r.code, name=r.name, role="billing",
                      email=r.email, phone=r.phone)
        for r in records if r.email or r.phone
    ]
    if contacts:
        store_contacts(book, contacts)


def store_contacts(book: Ledger, records: list[ContactRecord]) -> None:
    ensure_customers(book, {r.customer_code: "" for r in records},
                     {r.customer_code: r.line for r in records})
    known = [r for r in records if r.customer_code in book.customers]
    existing = {
        (c.customer_id, c.role, c.name): c
        for c in Contact.objects.filter(customer_id__in={book.customers[r.customer_code]
                                                         for r in known})
    }
    to_create, to_update = [], []
    for record in known:
        key = (book.customers[record.customer_code], record.role, record.name)
        values = {k: getattr(record, k) for k in CONTACT_FIELDS if getattr(record, k)}
        contact = existing.get(key)
        if contact is None:
            contact = existing[key] = Contact(customer_id=key[0], role=record.role,
                                              name=record.name, **values)
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
    found = dict(Customer.objects.filter(company=book.company, code__in=missing)
                 .values_list("code", "pk"))
    book.customers.update(found)
    new = [Customer(company=book.company, code=code, name=names[code])
           for code in missing if code not in found and names[code]]
    Customer.objects.bulk_create(new, batch_size=BATCH)
    book.customers.update({c.code: c.pk for c in new})
    book.report.created["customers"] += len(new)
    for code in missing:
        if code not in book.customers:
            book.reject(lines[code], f"client inconnu : {code} (ajoutez son nom ou importez-le)")


# --- items, payments, allocations --------------------------------------------------------


def store_entries(book: Ledger, items: list[ItemRecord], payments: list[PaymentRecord],
                  allocations: list[AllocationRecord]) -> None:
    """Store items and payments, then the allocations between them.

    Invoice lines with `paid_on` (a history kept in Excel) bring their own payment and
    allocation, derived here. Lookups go by chunks to stay within the database's limit on
    query parameters."""
    derived_payments, derived_allocations = _payments_from_paid_items(items)
    payments = payments + derived_payments
    allocations = allocations + derived_allocations
    for start in range(0, max(len(items), len(payments)), BATCH):
        item_chunk, payment_chunk = items[start:start + BATCH], payments[start:start + BATCH]
        ensure_customers(book, _names(item_chunk, payment_chunk), _lines(item_chunk, payment_chunk))
        _find_existing(book, item_chunk, payment_chunk)
    reserved = _allocated_between_new(book, allocations)
    for start in range(0, max(len(items), len(payments)), BATCH):
        _create_items(book, [r for r in items[start:start + BATCH]
                             if r.customer_code in book.customers
                             and r.source_key not in book.items], reserved)
        _create_payments(book, [r for r in payments[start:start + BATCH]
                                if r.customer_code in book.customers
                                and r.source_key not in book.payments], reserved)
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
        payments.append(PaymentRecord(line=item.line, source_key=key,
                                      customer_code=item.customer_code, received_on=item.paid_on,
                                      amount=amount, currency=item.currency,
                                      reference=item.number, invoice_number=item.number))
        allocations.append(AllocationRecord(debit_key=item.source_key, credit_key=key,
                                            amount=min(amount, item.amount),
                                            allocated_on=item.paid_on))
    return payments, allocations


def _find_existing(book: Ledger, items: list[ItemRecord], payments: list[PaymentRecord]) -> None:
    keys = [r.source_key for r in items if r.source_key not in book.items]
    book.items.update(Invoice.objects.filter(company=book.company, source_key__in=keys)
                      .values_list("source_key", "pk"))
    # A document file identifies invoices by their number (source key "inv:<number>"): an
    # invoice with that number that came from elsewhere (the FEC, a form) is the same one.
    by_number = {r.number: r.source_key for r in items
                 if r.source_key not in book.items and r.source_key == f"inv:{r.number}"}
    for number, pk in Invoice.objects.filter(company=book.company,
                                             number__in=list(by_number)).values_list("number", "pk"):
        book.items[by_number[number]] = pk
    keys = [r.source_key for r in payments if r.source_key not in book.payments]
    book.payments.update(Payment.objects.filter(company=book.company, source_key__in=keys)
                         .values_list("source_key", "pk"))
    _update_items(book, [r for r in items
                         if r.source_key in book.items and r.source_key not in book.new_keys])
    for record in payments:
        if record.source_key in book.payments and record.source_key not in book.new_keys:
            book.report.unchanged["payments"] += 1


UPDATABLE = ("issued_on", "due_on", "amount", "amount_excl_tax", "currency", "po_reference",
             "is_disputed")


def _update_items(book: Ledger, records: list[ItemRecord]) -> None:
    """An item imported again with other dates or amounts is corrected; the open amount moves
    by the change of amount, and may not fall below what is already settled."""
    if not records:
        return
    stored = Invoice.objects.in_bulk([book.items[r.source_key] for r in records])
    changed = []
    for record in records:
        invoice = stored[book.items[record.source_key]]
        diff = {name: getattr(record, name) for name in UPDATABLE
                if getattr(record, name) != getattr(invoice, name)}
        if not diff:
            book.report.unchanged[ITEM_COUNTER[record.kind]] += 1
            continue
        open_amount = invoice.open_amount + record.amount - invoice.amount
        if open_amount < 0:
            book.reject(record.line, f"{invoice.number} : nouveau montant inférieur au déjà réglé")
            continue
        for name, value in diff.items():
            setattr(invoice, name, value)
        invoice.open_amount = open_amount
        changed.append(invoice)
        book.report.updated[ITEM_COUNTER[record.kind]] += 1
    Invoice.objects.bulk_update(changed, [*UPDATABLE, "open_amount"], batch_size=BATCH)


def _allocated_between_new(book: Ledger, allocations: list[AllocationRecord]) -> Counter[str]:
    """Amounts that allocations between records not yet stored take from each of them."""
    stored = book.items.keys() | book.payments.keys()
    reserved: Counter[str] = Counter()
    for allocation in allocations:
        if allocation.debit_key not in stored and allocation.credit_key not in stored:
            reserved[allocation.debit_key] += allocation.amount
            reserved[allocation.credit_key] += allocation.amount
    return reserved


def _create_items(book: Ledger, records: list[ItemRecord], reserved: Counter[str]) -> None:
    numbers = _free_numbers(book, records)
    rows = []
    for record in records:
        open_amount = record.amount - reserved.get(record.source_key, Decimal(0))
        if open_amount < 0:
            book.reject(record.line, "lettrage supérieur au montant de la pièce")
            continue
        rows.append(Invoice(
            company=book.company, customer_id=book.customers[record.customer_code],
            number=numbers[record.source_key], kind=record.kind.value, is_credit=record.is_credit,
            issued_on=record.issued_on, due_on=record.due_on, amount=record.amount,
            amount_excl_tax=record.amount_excl_tax, open_amount=open_amount,
            currency=record.currency, po_reference=record.po_reference[:60],
            label=record.label[:200], is_disputed=record.is_disputed,
            source_key=record.source_key, import_batch_id=book.batch_id))
    Invoice.objects.bulk_create(rows, batch_size=BATCH)
    for row, kind in ((row, row.kind) for row in rows):
        book.items[row.source_key] = row.pk
        book.new_keys.add(row.source_key)
        book.report.created[ITEM_COUNTER[ItemKind(kind)]] += 1


def _free_numbers(book: Ledger, records: list[ItemRecord]) -> dict[str, str]:
    """The record's number, or the number with a suffix when another item already has it
    (two ledger entries may share a piece reference)."""
    wanted = {r.source_key: r.number[:60] for r in records}
    taken = set(Invoice.objects.filter(company=book.company, number__in=set(wanted.values()))
                .values_list("number", flat=True))
    numbers = {}
    for key, number in wanted.items():
        candidate, n = number, 1
        while candidate in taken:
            n += 1
            candidate = f"{number[:55]}-{n}"
        taken.add(candidate)
        numbers[key] = candidate
    return numbers


def _create_payments(book: Ledger, records: list[PaymentRecord], reserved: Counter[str]) -> None:
    rows = []
    for record in records:
        unallocated = record.amount - reserved.get(record.source_key, Decimal(0))
        if unallocated < 0:
            book.reject(record.line, "lettrage supérieur au montant du règlement")
            continue
        rows.append(Payment(
            company=book.company, customer_id=book.customers[record.customer_code],
            received_on=record.received_on, amount=record.amount, unallocated_amount=unallocated,
            currency=record.currency, method=record.method.value, reference=record.reference[:120],
            label=record.label[:200], source_key=record.source_key,
            import_batch_id=book.batch_id))
    Payment.objects.bulk_create(rows, batch_size=BATCH)
    for row in rows:
        book.payments[row.source_key] = row.pk
        book.new_keys.add(row.source_key)
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
    Allocation.objects.bulk_create([_allocation_row(book, a) for a in fresh], batch_size=BATCH)
    book.report.created["allocations"] += len(fresh)
    for start in range(0, len(touching_stored), BATCH):
        _apply_allocations(book, touching_stored[start:start + BATCH])


def _allocation_row(book: Ledger, allocation: AllocationRecord) -> Allocation:
    payment_id = book.payments.get(allocation.credit_key)
    return Allocation(company=book.company, invoice_id=book.items[allocation.debit_key],
                      payment_id=payment_id,
                      credit_item_id=None if payment_id else book.items[allocation.credit_key],
                      amount=allocation.amount, allocated_on=allocation.allocated_on)


def _apply_allocations(book: Ledger, allocations: list[AllocationRecord]) -> None:
    """Allocations touching records of an earlier import: skip those already there."""
    if not allocations:
        return
    pairs = defaultdict(set)
    for row in Allocation.objects.filter(
            invoice_id__in=[book.items[a.debit_key] for a in allocations]).values(
            "invoice_id", "payment_id", "credit_item_id"):
        pairs[row["invoice_id"]].add((row["payment_id"], row["credit_item_id"]))
    for allocation in allocations:
        row = _allocation_row(book, allocation)
        if (row.payment_id, row.credit_item_id) in pairs[row.invoice_id]:
            book.report.unchanged["allocations"] += 1
            continue
        invoice = Invoice.objects.get(pk=row.invoice_id)
        source = ({"payment": Payment.objects.get(pk=row.payment_id)} if row.payment_id
                  else {"credit_item": Invoice.objects.get(pk=row.credit_item_id)})
        try:
            ledger.allocate(invoice, allocation.amount, allocation.allocated_on, **source)
        except ledger.AllocationError as error:
            book.reject(0, f"lettrage {invoice.number} non appliqué : {error}")
            continue
        book.report.created["allocations"] += 1
