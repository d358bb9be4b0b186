"""Rejected direct debits, unpaid LCRs and returned transfers (BankLine.is_return).

The bank takes back money it had credited: the payment it reverses is found (the same
amount, received on or before the return, from the same end-to-end id, else from the same
counterparty IBAN; the most recent first), its allocations are undone so the invoices are
open again, and a REFUND item ("payment returned unpaid", numbered REJET-<line id>) of the
payment's amount absorbs the payment, so the customer owes the invoice again and has no
phantom credit. The return line is matched to that reversal and the collector is alerted
(BankAlert, on the reconciliation page and the customer file). A return whose payment cannot
be found stays unmatched, with an alert.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from relance.core.records import ItemKind
from relance.ledger import services as ledger
from relance.ledger.models import Invoice, Payment

from ..convert import compact_iban
from ..models import BankAlert, BankLine, CustomerIBAN, Match
from ..services import french
from .apply import MatchError, claim_line

UNKNOWN_ID = {"", "NOTPROVIDED", "NONREF"}


def reverse_return(line: BankLine) -> Match | None:
    """Reverse the payment `line` takes back (module docstring), or alert when none is found."""
    payment = reversed_payment(line)
    if payment is None:
        raise_alert(
            line,
            None,
            f"Rejet de {french(-line.amount)} {line.currency} du {line.booked_on:%d/%m/%Y}"
            f" ({line.counterparty_name or line.remittance or 'sans libellé'}) : aucun "
            "règlement correspondant trouvé, à rapprocher à la main.",
        )
        return None
    return _reverse(line, payment)


def reversed_payment(line: BankLine) -> Payment | None:
    """The most recent payment of this amount the line may reverse, not reversed yet."""
    already = Match.objects.filter(
        kind=Match.Kind.RETURN, undone_at__isnull=True, payment__isnull=False
    ).values("payment")
    payments = (
        Payment.objects.filter(
            company_id=line.company_id,
            customer__isnull=False,
            amount=-line.amount,
            currency=line.currency,
            received_on__lte=line.booked_on,
        )
        .exclude(pk__in=already)
        .order_by("-received_on", "-pk")
    )
    for condition in _identifications(line):
        found = payments.filter(condition).distinct().first()
        if found is not None:
            return found
    return None


def _identifications(line: BankLine) -> list[Q]:
    """Strongest first: the end-to-end id the bank carries back, then the payer's IBAN."""
    found = []
    if line.end_to_end_id.upper() not in UNKNOWN_ID:
        found.append(
            Q(bank_lines__end_to_end_id=line.end_to_end_id) | Q(reference=line.end_to_end_id)
        )
    iban = compact_iban(line.counterparty_iban)
    if iban:
        owners = CustomerIBAN.objects.filter(company_id=line.company_id, iban=iban)
        found.append(
            Q(bank_lines__counterparty_iban=line.counterparty_iban)
            | Q(customer__in=owners.values("customer"))
        )
    return found


@transaction.atomic
def _reverse(line: BankLine, payment: Payment) -> Match:
    claim_line(line)
    undone = ledger.unallocate_payment(payment)
    refund = ledger.record_invoice(
        line.company,
        payment.customer,
        number=f"REJET-{line.pk}",
        kind=ItemKind.REFUND.value,
        is_credit=False,
        issued_on=line.booked_on,
        due_on=line.booked_on,
        amount=payment.amount,
        currency=payment.currency,
        label=f"Règlement du {payment.received_on:%d/%m/%Y} rejeté par la banque"[:200],
    )
    ledger.allocate(refund, payment.amount, line.booked_on, payment=payment)
    BankLine.objects.filter(pk=line.pk).update(payment=payment)
    numbers = dict(
        Invoice.objects.filter(pk__in=[a.invoice_id for a in undone]).values_list("pk", "number")
    )
    match = Match.objects.create(
        company_id=line.company_id,
        bank_line=line,
        kind=Match.Kind.RETURN,
        customer=payment.customer,
        payment=payment,
        written_item=refund,
        method=Match.Method.AUTO,
        reasons=["return"],
        shares=[
            {"invoice": a.invoice_id, "number": numbers[a.invoice_id], "amount": str(a.amount)}
            for a in undone
        ],
    )
    reopened = ", ".join(numbers[a.invoice_id] for a in undone) or "aucune facture lettrée"
    raise_alert(
        line,
        payment.customer,
        f"Règlement de {french(payment.amount)} {payment.currency} du "
        f"{payment.received_on:%d/%m/%Y} rejeté par la banque le {line.booked_on:%d/%m/%Y}"
        f" : {reopened} à nouveau due(s).",
    )
    return match


def undo_return(match: Match) -> None:
    """The reversed payment is allocated again to what it paid, as far as still open."""
    if match.written_item is not None:
        ledger.remove_item(match.written_item)
    payment = match.payment
    if payment is None:
        return
    for share in match.shares:
        payment.refresh_from_db(fields=["unallocated_amount"])
        invoice = Invoice.objects.filter(pk=share["invoice"]).first()
        if invoice is None:
            continue
        amount = min(Decimal(share["amount"]), invoice.open_amount, payment.unallocated_amount)
        if amount > 0:
            ledger.allocate(invoice, amount, payment.received_on, payment=payment)


def raise_alert(line: BankLine, customer, message: str) -> BankAlert:
    """One open alert per bank line: a second run updates it rather than repeating it."""
    alert = BankAlert.objects.filter(bank_line=line, resolved_at__isnull=True).first()
    if alert is not None:
        alert.customer, alert.message = customer, message
        alert.save(update_fields=["customer", "message"])
        return alert
    return BankAlert.objects.create(
        company_id=line.company_id, customer=customer, bank_line=line, message=message
    )


__all__ = ["MatchError", "raise_alert", "reverse_return", "reversed_payment", "undo_return"]
