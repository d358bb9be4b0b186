"""Payment matching: which open items each bank line pays (lettrage des règlements)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from stdnum import iso11649

from .bank.records import BankLine
from .matching_index import Portfolio, cents
from .matching_records import Candidate, CustomerHint, LineMatch, MatchPolicy, OpenItem, Share
from .matching_rules import DOUBT, Evidence, Explanation, candidate, evidence_for, explain

__all__ = [
    "Candidate",
    "CustomerHint",
    "LineMatch",
    "MatchPolicy",
    "OpenItem",
    "Share",
    "creditor_reference",
    "match_lines",
]

AMOUNT_ONLY = Decimal("0.6")  # one open item of the whole portfolio has this amount
AMBIGUOUS_AMOUNT = Decimal("0.3")
MAX_AMOUNT_ONLY = 50
SOLE_PAYEE = DOUBT["close_name"] / DOUBT["shared_name"]
DEFAULT_POLICY = MatchPolicy()  # frozen, so one shared default is safe


def creditor_reference(text: str) -> str:
    """The ISO 11649 creditor reference ("RF" + 2 check digits + up to 21 letters or digits)
    of an invoice number; separators are dropped.

    Example: "FA-2024-0001" -> "RF27FA20240001"; "539007547034" -> "RF18539007547034"."""
    body = "".join(char for char in text.upper() if char.isascii() and char.isalnum())
    if not body or len(body) > 21:
        raise ValueError(f"référence impossible pour '{text}' (1 à 21 lettres ou chiffres)")
    # ISO 7064 MOD 97-10 over body + "RF00", letters as 10..35, like an IBAN.
    digits = "".join(str(int(char, 36)) for char in body + "RF00")
    reference = f"RF{98 - int(digits) % 97:02d}{body}"
    iso11649.validate(reference)
    return reference


def match_lines(
    lines: Sequence[tuple[int, BankLine]],
    items: Sequence[OpenItem],
    customers: Sequence[CustomerHint],
    policy: MatchPolicy = DEFAULT_POLICY,
) -> list[LineMatch]:
    """Candidates for each (line id, bank line), best first, in line order.

    Only money in is matched: a negative line or a return gets no candidate. An item is
    only ever matched in its own currency. Sure matches consume the items in line order, so
    that two payments of one invoice never pay more than is open: with FA2024-0001234 open
    for 1,000.00, a sure line of 400.00 naming it leaves 600.00, and a second line of
    600.00 naming it is then an exact payment, not a partial one.

    A match is sure when its confidence reaches `policy.sure_confidence` and no other
    candidate comes within `policy.sure_margin` of it (see relance.core.matching_rules).
    """
    portfolio = Portfolio.build(items, customers)
    matches = []
    for line_id, line in lines:
        if line.amount <= 0 or line.is_return:
            matches.append(LineMatch(line_id, (), False))
            continue
        candidates = _candidates(line, portfolio, policy)
        is_sure = _is_sure(candidates, policy)
        if is_sure:
            _consume(portfolio, candidates[0])
        matches.append(LineMatch(line_id, tuple(candidates), is_sure))
    return matches


def _candidates(line: BankLine, portfolio: Portfolio, policy: MatchPolicy) -> list[Candidate]:
    amount = cents(line.amount)
    evidence = evidence_for(line, portfolio)
    if not evidence.doubt:
        return _by_amount_only(line.currency, amount, portfolio, policy)
    unique = _is_unique_amount(line.currency, amount, portfolio)
    explained = {
        customer_id: _explanations(customer_id, line, evidence, portfolio, policy)
        for customer_id in evidence.doubt
    }
    paying = [c for c, explanations in explained.items() if explanations[0].shares]
    found = []
    for customer_id, explanations in explained.items():
        doubt = evidence.doubt[customer_id]
        if paying == [customer_id] and "shared_name" in evidence.applied[customer_id]:
            # Several customers bear this name but only this one owes what the line pays.
            doubt *= SOLE_PAYEE
        reasons = evidence.reasons[customer_id]
        for explanation in explanations:
            found.append(candidate(customer_id, explanation, doubt, reasons, unique))
    found.sort(key=lambda found: -found.confidence)
    return found[: policy.max_candidates]


def _explanations(
    customer_id: int, line: BankLine, evidence: Evidence, portfolio: Portfolio, policy: MatchPolicy
) -> list[Explanation]:
    """Named items first; items named only by a short number are dropped again when they do
    not explain the amount (a '2024' in a text is more often a year than an invoice)."""
    amount = cents(line.amount)
    pool = portfolio.open_items(customer_id, line.currency)
    named_ids = evidence.items.get(customer_id, set())
    named = [item for item in pool if item.id in named_ids]
    explanations = explain(amount, named, pool, portfolio, policy)
    if named_ids & evidence.weak and not _fits(explanations):
        strong = [item for item in named if item.id not in evidence.weak]
        explanations = explain(amount, strong, pool, portfolio, policy)
    return explanations or [Explanation((), amount, 0, (), 1.0)]


def _fits(explanations: list[Explanation]) -> bool:
    return bool(explanations) and explanations[0].reasons[0] in ("amount", "fee", "combination")


def _by_amount_only(
    currency: str, amount: int, portfolio: Portfolio, policy: MatchPolicy
) -> list[Candidate]:
    """Nothing says who pays: open items of exactly this amount are proposed, never sure."""
    sharing = portfolio.by_amount.get((currency, amount), ())
    if len(sharing) > MAX_AMOUNT_ONLY:  # a round amount owed by hundreds: nothing to propose
        return []
    items = _items_of_amount(currency, amount, portfolio)
    confidence = AMOUNT_ONLY if len(items) == 1 else AMBIGUOUS_AMOUNT
    return [
        Candidate(
            item.customer_id,
            (Share(item.id, _money(amount)),),
            _money(0),
            _money(0),
            confidence,
            ("amount",),
        )
        for item in items[: policy.max_candidates]
    ]


def _items_of_amount(currency: str, amount: int, portfolio: Portfolio) -> list[OpenItem]:
    remaining = portfolio.remaining
    return [
        portfolio.items[item_id]
        for item_id in portfolio.by_amount.get((currency, amount), ())
        if remaining[item_id] == amount
    ]


def _is_unique_amount(currency: str, amount: int, portfolio: Portfolio) -> bool:
    sharing = portfolio.by_amount.get((currency, amount), ())
    return len(sharing) == 1 and portfolio.remaining[sharing[0]] == amount


def _is_sure(candidates: list[Candidate], policy: MatchPolicy) -> bool:
    if not candidates or candidates[0].confidence < policy.sure_confidence:
        return False
    rival = candidates[1].confidence if len(candidates) > 1 else Decimal(0)
    return rival < candidates[0].confidence - policy.sure_margin


def _consume(portfolio: Portfolio, chosen: Candidate) -> None:
    for share in chosen.shares:
        portfolio.remaining[share.item_id] -= cents(share.amount)


def _money(amount: int) -> Decimal:
    return Decimal(amount).scaleb(-2)
