"""What a dispute leaves to ask for. A dispute on a whole invoice (no amount) leaves nothing:
the invoice is not reminded until the dispute is resolved. A dispute on part of an invoice
(`Dispute.amount`) leaves the rest: the invoice is reminded, and its reminders list it, for
its open amount minus the amounts of its open partial disputes (nothing when they cover it).
An invoice an import flagged disputed, with no dispute recorded, counts as disputed whole.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from relance.ledger.models import Invoice

from .models import Dispute

WHOLE = None  # in `disputed_amounts`: an invoice disputed in full


def disputed_amounts(open_disputes: QuerySet[Dispute]) -> dict[int, Decimal | None]:
    """Invoice id -> the amount its open disputes contest, WHOLE when one contests it all."""
    rows = open_disputes.values("invoice_id").annotate(
        contested=Sum("amount"), whole=Count("pk") - Count("amount")
    )
    return {row["invoice_id"]: WHOLE if row["whole"] else row["contested"] for row in rows}


def askable_amount(invoice: Invoice, disputed: dict[int, Decimal | None]) -> Decimal:
    """What may be asked of the invoice now: its open amount less what is contested."""
    if invoice.is_credit or not invoice.is_disputed and invoice.pk not in disputed:
        return invoice.open_amount
    contested = disputed.get(invoice.pk, WHOLE)
    if contested is WHOLE:
        return Decimal(0)
    return max(invoice.open_amount - contested, Decimal(0))
