"""What a person does on the reconciliation page: accept or reject a proposal, match a line
by hand, resolve an alert. Undo is relance.banking.matching.apply.undo_match."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from relance.core.matching import Candidate, Share
from relance.ledger.models import Customer, Invoice

from .. import convert
from ..models import BankAlert, BankLine, Match, MatchProposal
from .apply import MatchError, apply_candidate


@transaction.atomic
def accept_proposal(proposal: MatchProposal, user=None) -> Match:
    """Apply a proposed candidate as it was proposed (one click); refused with MatchError
    when the line or an item changed since."""
    if proposal.rejected_at is not None:
        raise MatchError("proposition refusée")
    candidate = convert.candidate_from_json(proposal.candidate)
    line = BankLine.objects.select_related("company").get(pk=proposal.bank_line_id)
    return apply_candidate(line, candidate, method=Match.Method.ACCEPTED, user=user)


@transaction.atomic
def reject_proposal(proposal: MatchProposal, user=None) -> MatchProposal:
    """Never propose (nor apply) this candidate for this line again."""
    proposal.rejected_at, proposal.rejected_by = timezone.now(), user
    proposal.save(update_fields=["rejected_at", "rejected_by"])
    return proposal


@transaction.atomic
def match_by_hand(
    line: BankLine,
    customer: Customer,
    allocations: Sequence[tuple[Invoice, Decimal]],
    user=None,
) -> Match:
    """The line pays these amounts of these invoices of `customer`; the rest of the line
    stays as credit on the customer's account."""
    shares = tuple(Share(invoice.pk, amount) for invoice, amount in allocations if amount)
    paid = sum((share.amount for share in shares), Decimal(0))
    candidate = Candidate(
        customer_id=customer.pk,
        shares=shares,
        unallocated=line.amount - paid,
        fee=Decimal(0),
        confidence=Decimal(1),
        reasons=("manual",),
    )
    return apply_candidate(line, candidate, method=Match.Method.MANUAL, user=user)


@transaction.atomic
def resolve_alert(alert: BankAlert, user=None) -> BankAlert:
    """The collector has dealt with it (called the customer, asked for a new payment)."""
    if alert.resolved_at is None:
        alert.resolved_at, alert.resolved_by = timezone.now(), user
        alert.save(update_fields=["resolved_at", "resolved_by"])
    return alert
