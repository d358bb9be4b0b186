"""Applying a candidate to the ledger, and undoing it.

Applying a bank line (one transaction): a Payment of the line's amount, date and currency
for the customer (method transfer, `source_key` "bank-line:<id>" so that the database itself
refuses a second payment for the same line); each share allocated to its item through
relance.ledger.services.allocate (open amounts, CHECK constraints, the thank-you hook); what
no item takes stays unallocated on the payment, a credit on the customer's account.

Bank fees deducted by the payer (the line pays 1,195.00 of a 1,200.00 invoice): an
ADJUSTMENT credit item "Frais bancaires déduits" of 5.00, numbered FRAIS-BQ-<line id>, is
allocated to the invoice next to the payment, so the invoice is settled, the payment stays
equal to the money received, and the write-off is a visible ledger item of its own.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from relance.core.matching import Candidate, Share
from relance.core.records import ItemKind, PaymentMethod
from relance.dunning.settled import cancel_settled_reminders
from relance.ledger import services as ledger
from relance.ledger.models import Customer, Invoice

from ..convert import compact_iban
from ..models import BankLine, CustomerIBAN, Match, MatchProposal

FEE_LABEL = "Frais bancaires déduits par le payeur"


class MatchError(ValueError):
    """A match the ledger cannot take: the line is no longer unmatched, an item was paid
    since the proposal, amounts that do not add up, another customer's item."""


@transaction.atomic
def apply_candidate(line: BankLine, candidate: Candidate, *, method: str, user=None) -> Match:
    """Turn the bank line into a payment allocated as `candidate` says (module docstring);
    a match made by hand has no confidence."""
    check_amounts(line, candidate)
    claim_line(line)
    customer = _customer(line, candidate.customer_id)
    invoices = _items(customer, [share.item_id for share in candidate.shares])
    payment = ledger.record_payment(
        line.company,
        customer=customer,
        amount=line.amount,
        received_on=line.booked_on,
        currency=line.currency,
        method=PaymentMethod.TRANSFER.value,
        reference=(line.end_to_end_id or line.bank_reference)[:120],
        label=(line.counterparty_name or line.remittance)[:200],
        source_key=f"bank-line:{line.pk}",
    )
    fee_item = _fee_item(line, customer, candidate.fee) if candidate.fee > 0 else None
    _allocate(candidate, invoices, payment, fee_item, line, user)
    BankLine.objects.filter(pk=line.pk).update(payment=payment)
    match = Match.objects.create(
        company_id=line.company_id,
        bank_line=line,
        customer=customer,
        payment=payment,
        written_item=fee_item,
        method=method,
        confidence=None if method == Match.Method.MANUAL else candidate.confidence,
        reasons=list(candidate.reasons),
        shares=[_share_json(share, invoices) for share in candidate.shares],
        unallocated=line.amount
        - sum((s.amount for s in candidate.shares), Decimal(0))
        + candidate.fee,
        fee=candidate.fee,
        made_by=user,
    )
    learn_iban(match, line.counterparty_iban)
    MatchProposal.objects.filter(bank_line=line, rejected_at__isnull=True).delete()
    cancel_settled_reminders(invoices.keys())
    return match


def check_amounts(line: BankLine, candidate: Candidate) -> None:
    if line.amount <= 0 or line.is_return:
        raise MatchError("seule une ligne créditrice devient un règlement")
    if any(share.amount <= 0 for share in candidate.shares) or candidate.fee < 0:
        raise MatchError("chaque montant affecté doit être positif")
    paid = sum((share.amount for share in candidate.shares), Decimal(0)) - candidate.fee
    if paid > line.amount:
        raise MatchError(f"les montants affectés ({paid}) dépassent la ligne ({line.amount})")
    if candidate.fee > sum((share.amount for share in candidate.shares), Decimal(0)):
        raise MatchError("les frais dépassent les montants affectés")


def claim_line(line: BankLine) -> None:
    """Only an unmatched line is taken, once: a conditional update, exactly one row."""
    changed = BankLine.objects.filter(pk=line.pk, status=BankLine.Status.UNMATCHED).update(
        status=BankLine.Status.MATCHED
    )
    if changed != 1:
        raise MatchError("ligne déjà rapprochée ou ignorée")
    line.status = BankLine.Status.MATCHED


def _customer(line: BankLine, customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id, company_id=line.company_id).first()
    if customer is None:
        raise MatchError("client inconnu")
    return customer


def _items(customer: Customer, ids: list[int]) -> dict[int, Invoice]:
    found = Invoice.objects.select_for_update().filter(
        pk__in=ids, customer=customer, is_credit=False
    )
    invoices = {invoice.pk: invoice for invoice in found}
    if len(invoices) != len(set(ids)):
        raise MatchError("pièce introuvable ou d'un autre client")
    return invoices


def _fee_item(line: BankLine, customer: Customer, fee: Decimal) -> Invoice:
    return ledger.record_invoice(
        line.company,
        customer,
        number=f"FRAIS-BQ-{line.pk}",
        kind=ItemKind.ADJUSTMENT.value,
        is_credit=True,
        issued_on=line.booked_on,
        due_on=line.booked_on,
        amount=fee,
        currency=line.currency,
        label=FEE_LABEL,
    )


def _allocate(candidate, invoices, payment, fee_item, line, user) -> None:
    """The fee is written off on the last items first; the payment pays the rest."""
    fee_left = candidate.fee
    for share in reversed(candidate.shares):
        invoice = invoices[share.item_id]
        written = min(fee_left, share.amount)
        fee_left -= written
        try:
            if written:
                ledger.allocate(invoice, written, line.booked_on, credit_item=fee_item, user=user)
            if share.amount - written:
                paid = share.amount - written
                ledger.allocate(invoice, paid, line.booked_on, payment=payment, user=user)
        except ledger.AllocationError as error:
            raise MatchError(f"{invoice.number} : {error}") from None


def _share_json(share: Share, invoices: dict[int, Invoice]) -> dict:
    invoice = invoices[share.item_id]
    return {"invoice": invoice.pk, "number": invoice.number, "amount": str(share.amount)}


def learn_iban(match: Match, iban: str) -> None:
    """The counterparty IBAN of a match belongs to its customer from now on, unless another
    customer already paid from it (a parent company paying for several keeps the first)."""
    iban = compact_iban(iban)
    if not iban:
        return
    try:
        with transaction.atomic():
            CustomerIBAN.objects.get_or_create(
                company_id=match.company_id,
                iban=iban,
                defaults={"customer_id": match.customer_id, "learned_from": match},
            )
    except IntegrityError:  # learned by a concurrent match: it stays theirs
        pass


# --- undo ------------------------------------------------------------------------------------


@transaction.atomic
def undo_match(match: Match, user=None) -> Match:
    """Take a match back: the payment it created and its allocations (and the fee written
    off) are removed, or for a return the reversed payment is allocated again; the line is
    unmatched again; the IBAN it taught is forgotten. The match row stays, marked undone."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.undone_at is not None:
        raise MatchError("rapprochement déjà annulé")
    if match.kind == Match.Kind.RETURN:
        from .returns import undo_return  # returns imports this module

        undo_return(match)
    else:
        _undo_payment(match)
    CustomerIBAN.objects.filter(learned_from=match).delete()
    BankLine.objects.filter(pk=match.bank_line_id).update(
        status=BankLine.Status.UNMATCHED, payment=None
    )
    match.undone_at, match.undone_by = timezone.now(), user
    match.save(update_fields=["undone_at", "undone_by"])
    return match


def _undo_payment(match: Match) -> None:
    reversed_by = Match.objects.filter(
        kind=Match.Kind.RETURN, payment=match.payment_id, undone_at__isnull=True
    )
    if match.payment_id is not None and reversed_by.exists():
        raise MatchError("ce règlement a été rejeté depuis : annulez d'abord le rejet")
    if match.payment is not None:
        ledger.remove_payment(match.payment)
    if match.written_item is not None:
        ledger.remove_item(match.written_item)
