"""`run_matching`: the company's unmatched bank lines against its open items.

Lines, items and customers are read set-based (relance.banking.convert), the core decides
(relance.core.matching.match_lines), then the sure matches are applied in bulk, a batch of
lines per transaction (relance.banking.matching.bulk: the same records as
relance.banking.matching.apply writes line by line, which it falls back to for a line whose
items moved since they were read) and every other candidate is stored as a MatchProposal for
a person to accept in one click. Returns (rejected direct debits, unpaid LCRs) reverse the
payment they take back (relance.banking.matching.returns). Matched lines are never touched.

A person has the last word: a line whose match was undone, or a candidate that was rejected,
is never applied automatically again; it can only be proposed (or matched by hand).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from relance.core.matching import Candidate, LineMatch, MatchPolicy, match_lines
from relance.ledger.models import Company, Customer, Invoice

from .. import convert
from ..models import BankLine, Match, MatchProposal
from .apply import MatchError
from .bulk import SureLine, apply_sure
from .returns import raise_alert, reverse_return

BATCH = 2000  # proposals per INSERT


@dataclass(frozen=True)
class LineOutcome:
    """What happened to one bank line, for the command's report."""

    bank_line: int
    booked_on: date
    amount: Decimal
    currency: str
    customer: str | None = None  # customer code
    invoices: tuple[str, ...] = ()
    confidence: Decimal | None = None
    reasons: tuple[str, ...] = ()
    error: str = ""

    def as_json(self) -> dict:
        return {
            "bank_line": self.bank_line,
            "date": self.booked_on.isoformat(),
            "amount": str(self.amount),
            "currency": self.currency,
            "customer": self.customer,
            "invoices": list(self.invoices),
            "confidence": None if self.confidence is None else str(self.confidence),
            "reasons": list(self.reasons),
            **({"error": self.error} if self.error else {}),
        }


@dataclass
class MatchReport:
    """One matching run: lines looked at, and what became of each."""

    lines: int = 0
    applied: list[LineOutcome] = field(default_factory=list)
    proposed: list[LineOutcome] = field(default_factory=list)
    unmatched: list[LineOutcome] = field(default_factory=list)
    returns: list[LineOutcome] = field(default_factory=list)  # reversed, or alerted

    def as_json(self) -> dict:
        return {
            "lines": self.lines,
            "applied": [outcome.as_json() for outcome in self.applied],
            "proposed": [outcome.as_json() for outcome in self.proposed],
            "unmatched": [outcome.as_json() for outcome in self.unmatched],
            "returns": [outcome.as_json() for outcome in self.returns],
        }


def run_matching(company: Company, *, user=None, policy: MatchPolicy | None = None) -> MatchReport:
    """Match the company's unmatched lines: apply the sure, propose the others (see above)."""
    unmatched = BankLine.objects.filter(company=company, status=BankLine.Status.UNMATCHED)
    records = convert.line_records(unmatched.filter(amount__gt=0, is_return=False))
    items = convert.open_items(company)
    results = match_lines(records, items, convert.customer_hints(company), policy or MatchPolicy())
    names = _Names(company, {item.id: item.number for item in items})
    held_back = _held_back(company)
    report = MatchReport(lines=len(records))
    kept = [
        _kept(line_id, result, held_back)
        for (line_id, _), result in zip(records, results, strict=True)
    ]
    sure = [
        SureLine(line_id, record, candidates[0])
        for (line_id, record), (candidates, is_sure) in zip(records, kept, strict=True)
        if is_sure
    ]
    open_amounts = {item.id: item.open_amount for item in items}
    applied = apply_sure(company, sure, open_amounts, user=user)
    proposals = []
    for (line_id, record), (candidates, _) in zip(records, kept, strict=True):
        outcome = names.outcome(line_id, record, candidates[0] if candidates else None)
        if line_id in applied:
            report.applied.append(outcome)
        elif candidates:  # not sure, or refused when applied (an item changed since read)
            proposals.extend(_proposals(company, line_id, candidates))
            report.proposed.append(outcome)
        else:
            report.unmatched.append(outcome)
    _replace_proposals(company, proposals)
    _returns(unmatched, held_back.undone, report, names)
    return report


def _kept(line_id: int, result: LineMatch, held_back: _HeldBack) -> tuple[list[Candidate], bool]:
    """The candidates a person did not reject, and whether the first is applied now: sure,
    not rejected, and the line was not unmatched by a person before."""
    rejected = held_back.rejected.get(line_id, set())
    candidates = [c for c in result.candidates if _key(c) not in rejected]
    is_sure = result.is_sure and candidates[:1] == list(result.candidates[:1])
    return candidates, is_sure and line_id not in held_back.undone


@dataclass
class _HeldBack:
    undone: set[int]  # lines a person unmatched: never applied automatically again
    rejected: dict[int, set[tuple[int, frozenset[int]]]]  # line -> rejected candidates


def _held_back(company: Company) -> _HeldBack:
    undone = set(
        Match.objects.filter(
            company=company,
            undone_at__isnull=False,
            bank_line__status=BankLine.Status.UNMATCHED,
        ).values_list("bank_line_id", flat=True)
    )
    rejected: dict[int, set] = {}
    rows = MatchProposal.objects.filter(
        company=company,
        rejected_at__isnull=False,
        bank_line__status=BankLine.Status.UNMATCHED,
    ).values_list("bank_line_id", "customer_id", "candidate")
    for line_id, customer_id, candidate in rows:
        invoices = [share["invoice"] for share in candidate.get("shares", [])]
        rejected.setdefault(line_id, set()).add(convert.candidate_key(customer_id, invoices))
    return _HeldBack(undone, rejected)


def _key(candidate: Candidate):
    return convert.candidate_key(candidate.customer_id, [s.item_id for s in candidate.shares])


def _proposals(company: Company, line_id: int, candidates: list[Candidate]):
    return [
        MatchProposal(
            company=company,
            bank_line_id=line_id,
            rank=rank,
            customer_id=candidate.customer_id,
            confidence=candidate.confidence,
            candidate=convert.candidate_json(candidate),
        )
        for rank, candidate in enumerate(candidates, start=1)
    ]


def _replace_proposals(company: Company, proposals: list[MatchProposal]) -> None:
    """The open proposals of unmatched lines give way to this run's (rejected ones stay)."""
    MatchProposal.objects.filter(
        company=company, rejected_at__isnull=True, bank_line__status=BankLine.Status.UNMATCHED
    ).delete()
    MatchProposal.objects.bulk_create(proposals, batch_size=BATCH)


def _returns(unmatched, undone: set[int], report: MatchReport, names) -> None:
    returns = unmatched.filter(is_return=True).select_related("company").order_by("booked_on")
    for line in returns:
        report.lines += 1
        if line.pk in undone:
            raise_alert(line, None, _UNDONE_RETURN)
            report.returns.append(names.outcome(line.pk, line, None))
            continue
        try:
            match = reverse_return(line)
        except MatchError as error:
            report.returns.append(names.outcome(line.pk, line, None, error=str(error)))
            continue
        report.returns.append(names.returned(line, match))


_UNDONE_RETURN = "Rejet dont le rapprochement a été annulé : à rapprocher à la main."


class _Names:
    """Customer codes and invoice numbers for the report, read once per run."""

    def __init__(self, company: Company, numbers: dict[int, str]) -> None:
        self.company, self.numbers = company, numbers
        self.codes = dict(Customer.objects.filter(company=company).values_list("pk", "code"))

    def outcome(self, line_id, line, candidate: Candidate | None, error: str = ""):
        if candidate is None:
            return LineOutcome(line_id, line.booked_on, line.amount, line.currency, error=error)
        missing = [s.item_id for s in candidate.shares if s.item_id not in self.numbers]
        if missing:
            self.numbers.update(Invoice.objects.filter(pk__in=missing).values_list("pk", "number"))
        return LineOutcome(
            line_id,
            line.booked_on,
            line.amount,
            line.currency,
            customer=self.codes.get(candidate.customer_id),
            invoices=tuple(self.numbers.get(s.item_id, "") for s in candidate.shares),
            confidence=candidate.confidence,
            reasons=candidate.reasons,
        )

    def returned(self, line: BankLine, match: Match | None) -> LineOutcome:
        if match is None:
            return LineOutcome(line.pk, line.booked_on, line.amount, line.currency)
        return LineOutcome(
            line.pk,
            line.booked_on,
            line.amount,
            line.currency,
            customer=self.codes.get(match.customer_id),
            invoices=tuple(share["number"] for share in match.shares),
            reasons=tuple(match.reasons),
        )
