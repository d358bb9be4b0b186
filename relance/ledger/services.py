"""The only code that writes the ledger: companies, payments, allocations.

Open amounts are kept consistent here: every allocation lowers the item's `open_amount` and
the payment's (or credit item's) available amount in the same transaction, with F()
expressions so that concurrent writers cannot lose an update, and CHECK constraints refuse
anything that would go below zero.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Round

from relance.api import webhooks
from relance.core.ledger import AccountPosition, account_position
from relance.reports.cache import bump

from .models import DUNNING_UNKNOWN, Allocation, Company, Contact, Customer, Invoice, Payment


class AllocationError(ValueError):
    """An allocation that the ledger cannot take (too large, other customer, other currency)."""


@transaction.atomic
def create_company(code: str, name: str, **fields) -> Company:
    company = Company(code=code, name=name, **fields)
    company.full_clean()
    company.save()
    return company


@transaction.atomic
def record_payment(
    company: Company,
    *,
    amount: Decimal,
    received_on: date,
    currency: str,
    customer: Customer | None = None,
    **fields,
) -> Payment:
    payment = Payment(
        company=company,
        customer=customer,
        amount=amount,
        received_on=received_on,
        currency=currency,
        unallocated_amount=amount,
        **fields,
    )
    payment.full_clean()
    payment.save()
    webhooks.payment_received(payment)  # payment.received, in this transaction
    bump(company)
    return payment


@transaction.atomic
def record_invoice(company: Company, customer: Customer, **fields) -> Invoice:
    invoice = Invoice(company=company, customer=customer, **fields)
    if invoice.open_amount is None:
        invoice.open_amount = invoice.amount
    invoice.full_clean()
    invoice.save()
    bump(company)
    return invoice


@transaction.atomic
def allocate(
    invoice: Invoice,
    amount: Decimal,
    allocated_on: date,
    *,
    payment: Payment | None = None,
    credit_item: Invoice | None = None,
    user=None,
) -> Allocation:
    """Settle `amount` of a debit item with a payment or a credit item (lettrage)."""
    source = payment or credit_item
    if source is None or (payment and credit_item):
        raise AllocationError("une affectation vient d'un règlement ou d'un avoir, pas des deux")
    if invoice.is_credit or (credit_item is not None and not credit_item.is_credit):
        raise AllocationError("on affecte un crédit à une pièce au débit")
    if source.currency != invoice.currency:
        raise AllocationError(f"devises différentes : {source.currency} et {invoice.currency}")
    if amount <= 0:
        raise AllocationError("le montant affecté doit être positif")
    _take(Invoice.objects.filter(pk=invoice.pk), "open_amount", amount)
    if payment is not None:
        _take(Payment.objects.filter(pk=payment.pk), "unallocated_amount", amount)
    else:
        _take(Invoice.objects.filter(pk=credit_item.pk), "open_amount", amount)
    allocation = Allocation.objects.create(
        company_id=invoice.company_id,
        invoice=invoice,
        payment=payment,
        credit_item=credit_item,
        amount=amount,
        allocated_on=allocated_on,
        created_by=user,
    )
    bump(invoice.company_id)
    if Invoice.objects.filter(pk=invoice.pk, open_amount=0).exists():
        from relance.dunning.thanks import thank_if_settled  # lazy: dunning imports the ledger

        thank_if_settled(invoice.customer, invoice.currency, allocated_on)
    return allocation


def _cents(expression):
    """Round in the database: SQLite computes decimals as floats, and 4313.07 - 2156.53 would
    be stored as 2156.5399999999995, which the exact remainder (2156.54) then exceeds."""
    return Round(expression, 2, output_field=DecimalField(max_digits=14, decimal_places=2))


def _take(queryset, field: str, amount: Decimal) -> None:
    try:
        with transaction.atomic():
            changed = queryset.filter(**{f"{field}__gte": amount}).update(
                **{field: _cents(F(field) - amount)}
            )
    except IntegrityError:
        changed = 0
    if changed != 1:
        raise AllocationError(f"montant affecté ({amount}) supérieur au disponible")


def _sum(queryset, field: str):
    return Coalesce(
        Subquery(queryset.values("customer").annotate(total=Sum(field)).values("total")),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def with_position(customers, today: date, currency: str):
    """Annotate customers with `balance` and `overdue` in one currency (relance.core.ledger)."""
    items = Invoice.objects.filter(
        customer=OuterRef("pk"), open_amount__positive=True, currency=currency
    )
    open_debit = _sum(items.filter(is_credit=False), "open_amount")
    open_credit = _sum(items.filter(is_credit=True), "open_amount")
    overdue_debit = _sum(items.filter(is_credit=False, due_on__lt=today), "open_amount")
    unallocated = _sum(
        Payment.objects.filter(
            customer=OuterRef("pk"), unallocated_amount__gt=0, currency=currency
        ),
        "unallocated_amount",
    )
    credits = F("open_credit") + F("unallocated")
    money = DecimalField(max_digits=16, decimal_places=2)
    return customers.annotate(
        open_debit=open_debit,
        open_credit=open_credit,
        unallocated=unallocated,
        overdue_debit=overdue_debit,
    ).annotate(
        balance=F("open_debit") - credits,
        overdue=Case(
            When(Q(overdue_debit__lte=credits), then=Value(Decimal(0))),
            When(Q(balance__lt=F("overdue_debit") - credits), then=F("balance")),
            default=F("overdue_debit") - credits,
            output_field=money,
        ),
    )


def position_of(customer: Customer, today: date, currency: str | None = None) -> AccountPosition:
    currency = currency or customer.company.currency
    row = (
        with_position(Customer.objects.filter(pk=customer.pk), today, currency)
        .values("open_debit", "open_credit", "unallocated", "overdue_debit")
        .get()
    )
    return account_position(
        row["open_debit"], row["open_credit"], row["unallocated"], row["overdue_debit"]
    )


# --- Writes used by the web UI (relance.web) -------------------------------------------------


class InvoiceLocked(ValueError):
    """An invoice already lettered (allocated) whose amount, kind or currency would change."""


@transaction.atomic
def create_customer(company: Company, **fields) -> Customer:
    customer = Customer(company=company, **fields)
    customer.full_clean()
    customer.save()
    return customer


def validated_save(instance, **fields):
    """Set the fields, validate the whole record (identifiers, choices), save it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def update_customer(customer: Customer, **fields) -> Customer:
    bump(customer.company_id)  # its portfolio, profile or handover filter the dashboard
    return validated_save(customer, **fields)


@transaction.atomic
def save_contact(contact: Contact, **fields) -> Contact:
    """Create (no pk yet) or update a contact of a customer."""
    return validated_save(contact, **fields)


@transaction.atomic
def update_company(company: Company, **fields) -> Company:
    return validated_save(company, **fields)


def has_allocations(invoice: Invoice) -> bool:
    return (
        Allocation.objects.filter(invoice=invoice).exists()
        or Allocation.objects.filter(credit_item=invoice).exists()
    )


@transaction.atomic
def update_invoice(invoice: Invoice, **fields) -> Invoice:
    """Edit an invoice; its amount, kind and currency are frozen once it is lettered."""
    current = Invoice.objects.select_for_update().get(pk=invoice.pk)
    frozen = ("amount", "kind", "is_credit", "currency")
    changes = [name for name in frozen if name in fields and fields[name] != getattr(current, name)]
    if changes and has_allocations(current):
        raise InvoiceLocked(
            "pièce déjà lettrée : son montant, son type et sa devise ne peuvent plus changer"
        )
    for name, value in fields.items():
        setattr(invoice, name, value)
    if "amount" in changes:
        # Not lettered: the open amount moves with the amount (an import may have settled part).
        invoice.open_amount = current.open_amount + invoice.amount - current.amount
    invoice.full_clean()
    invoice.save()
    bump(invoice.company_id)
    return invoice


@transaction.atomic
def receive_payment(
    company: Company, customer: Customer, invoices, *, user=None, **payment_fields
) -> Payment:
    """Record a payment and letter it to the chosen open invoices, oldest due date first."""
    payment = record_payment(company, customer=customer, **payment_fields)
    remaining = payment.amount
    for invoice in sorted(invoices, key=lambda item: (item.due_on, item.number)):
        invoice.refresh_from_db(fields=["open_amount"])
        amount = min(remaining, invoice.open_amount)
        if amount <= 0:
            continue
        allocate(invoice, amount, payment.received_on, payment=payment, user=user)
        remaining -= amount
    payment.refresh_from_db(fields=["unallocated_amount"])
    return payment


# --- Undoing allocations (bank matching: undo of a match, returned payments) -----------------


@transaction.atomic
def unallocate(allocation: Allocation) -> None:
    """Undo one lettrage: the item is open again by its amount, and so is its source (the
    payment's unallocated amount or the credit item's open amount)."""
    amount = allocation.amount
    reopened = Invoice.objects.filter(pk=allocation.invoice_id)
    _give_back(reopened, "open_amount", amount)
    # A returned payment or an undone match: the reopened item's next dunning step is worked
    # out again (a pause it waited for may have ended while it was settled).
    reopened.update(dunning_next_on=DUNNING_UNKNOWN)
    if allocation.payment_id is not None:
        _give_back(Payment.objects.filter(pk=allocation.payment_id), "unallocated_amount", amount)
    else:
        _give_back(Invoice.objects.filter(pk=allocation.credit_item_id), "open_amount", amount)
    allocation.delete()
    bump(allocation.company_id)


def _give_back(queryset, field: str, amount: Decimal) -> None:
    try:
        with transaction.atomic():
            changed = queryset.update(**{field: _cents(F(field) + amount)})
    except IntegrityError:  # the CHECK constraints: more than the record's amount
        changed = 0
    if changed != 1:
        raise AllocationError(f"lettrage impossible à défaire ({amount}) : montants incohérents")


@transaction.atomic
def unallocate_payment(payment: Payment) -> list[Allocation]:
    """Undo every allocation of a payment, which becomes wholly unallocated; returns the
    allocations undone (no longer in the database) so that callers can say what reopened."""
    allocations = list(Allocation.objects.select_for_update().filter(payment=payment))
    for allocation in allocations:
        unallocate(allocation)
    return allocations


@transaction.atomic
def remove_payment(payment: Payment) -> list[Allocation]:
    """Delete a payment recorded by mistake, reopening what it settled first."""
    allocations = unallocate_payment(payment)
    Payment.objects.filter(pk=payment.pk).delete()
    bump(payment.company_id)
    return allocations


@transaction.atomic
def remove_item(item: Invoice) -> list[Allocation]:
    """Delete an item written by a service (a fee write-off, a returned payment), undoing
    every allocation it takes part in, on either side."""
    allocations = list(
        Allocation.objects.select_for_update().filter(Q(invoice=item) | Q(credit_item=item))
    )
    for allocation in allocations:
        unallocate(allocation)
    Invoice.objects.filter(pk=item.pk).delete()
    bump(item.company_id)
    return allocations
