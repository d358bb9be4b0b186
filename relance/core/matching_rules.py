"""How one bank line is explained: who pays (reference, number, IBAN, name) and what it
pays (exact items, a combination, a partial payment, fees deducted, an overpayment).

Confidence is one minus the doubt left by the evidence; each piece of evidence divides the
doubt (about 1 in 30 for an RF reference that equals an item's, 1 in 14 for its number,
1 in 10 for a learned IBAN, 1 in 7 for a close name, 1 in 5 for an amount that is exactly
explained). Worked example: a line "VIR DUPONT FACT 2024 1234" of 1,200.00 from
"BOULANGERIE DUPONT", where FA2024-0001234 of Boulangerie Dupont is open for 1,200.00:
number (doubt 0.07) x name (0.15) x exact amount (0.2) = 0.0021, confidence 0.998, sure.
The same line for 700.00 (a partial payment): 0.07 x 0.15 = 0.0105, confidence 0.989,
still sure because the number and the name agree; without the name it would be 0.93.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .bank.records import BankLine
from .matching_index import Portfolio, cents
from .matching_records import Candidate, MatchPolicy, OpenItem, Share
from .matching_text import (
    compact,
    compact_iban,
    creditor_references,
    name_tokens,
    number_keys,
    text_number_keys,
)

STRONG_NUMBER = 5  # digits a number key needs to name an item on its own
MAX_ITEMS_PER_KEY = 3  # a key naming more items than this names none
NAME_FLOOR = 75.0  # below this a name says nothing
NAME_CLOSE = 90.0
NAME_SPREAD = 10.0  # names scoring this much below the best one are not candidates
MAX_NAMESAKES = 20
DOUBT = {
    "reference": 0.03,
    "number": 0.07,
    "weak_number": 0.4,
    "iban": 0.1,
    "shared_iban": 0.4,
    "close_name": 0.15,
    "shared_name": 0.3,
    "similar_name": 0.5,
}
EXACT, AMBIGUOUS, OVERPAID = 0.2, 0.6, 1.5
# An amount is common when more open items have it than 5 or one customer in 1,000 (in a
# large ledger 100.00 is owed by hundreds of customers, 40.91 by a handful).
COMMON_AMOUNT, COMMON_EXACT = 5, 0.5
SUBSETS_PER_DOUBT = 2_000
UNIQUE_AMOUNT = 0.5  # the only open item of the whole portfolio with this amount
NO_ITEM_CAP = 0.7  # a customer without any item explained is never more sure than this


@dataclass
class Evidence:
    """Who a line may come from, per customer id: items it names and the doubt left."""

    items: dict[int, set[int]] = field(default_factory=dict)  # customer -> named item ids
    weak: set[int] = field(default_factory=set)  # items named by a short number only
    doubt: dict[int, float] = field(default_factory=dict)
    reasons: dict[int, list[str]] = field(default_factory=dict)  # codes, in order found
    applied: dict[int, set[str]] = field(default_factory=dict)

    def add(self, customer_id: int, reason: str) -> None:
        """Evidence of one kind counts once per customer (one name score, one IBAN...)."""
        code = reason.split("_")[-1]  # "weak_number" -> "number", "close_name" -> "name"
        applied = self.applied.setdefault(customer_id, set())
        if reason in applied or (code == "name" and "name" in applied):
            return
        applied.update((reason, code))
        known = self.reasons.setdefault(customer_id, [])
        if code not in known:
            known.append(code)
        self.doubt[customer_id] = self.doubt.get(customer_id, 1.0) * DOUBT[reason]

    def name(self, customer_id: int, item_id: int, reason: str) -> None:
        self.items.setdefault(customer_id, set()).add(item_id)
        self.add(customer_id, reason)


@dataclass(frozen=True)
class Explanation:
    """What a line pays for one customer, in cents, and how well the amount fits."""

    shares: tuple[tuple[int, int], ...]
    unallocated: int
    fee: int
    reasons: tuple[str, ...]
    factor: float


def evidence_for(line: BankLine, portfolio: Portfolio) -> Evidence:
    """Customers and items the line names, strongest evidence first."""
    evidence = Evidence()
    _references(line, portfolio, evidence)
    _numbers(line, portfolio, evidence)
    _ibans(line, portfolio, evidence)
    _names(line, portfolio, evidence)
    return evidence


def _references(line: BankLine, portfolio: Portfolio, evidence: Evidence) -> None:
    """An RF reference equal to an item's, or built from an item's number the way
    `creditor_reference` builds it (RF + check digits + the number without separators)."""
    for reference in creditor_references(line.structured_reference, line.remittance):
        named = portfolio.by_reference.get(reference) or [
            item_id
            for key in number_keys(reference[4:])
            for item_id in portfolio.by_number.get(key, ())
            if compact(portfolio.items[item_id].number) == reference[4:]
        ]
        for item_id in named:
            item = portfolio.items[item_id]
            if item.currency == line.currency:
                evidence.name(item.customer_id, item_id, "reference")


def _numbers(line: BankLine, portfolio: Portfolio, evidence: Evidence) -> None:
    text = f"{line.remittance} {line.end_to_end_id}"
    squeezed = compact(text)
    for key in text_number_keys(text):
        named = portfolio.by_number.get(key, ())
        if len(named) > MAX_ITEMS_PER_KEY:
            continue
        for item_id in named:
            item = portfolio.items[item_id]
            if item.currency != line.currency:
                continue
            if len(key) >= STRONG_NUMBER or compact(item.number) in squeezed:
                evidence.name(item.customer_id, item_id, "number")
            else:
                evidence.weak.add(item_id)
                evidence.name(item.customer_id, item_id, "weak_number")


def _ibans(line: BankLine, portfolio: Portfolio, evidence: Evidence) -> None:
    owners = portfolio.by_iban.get(compact_iban(line.counterparty_iban), set())
    for customer_id in owners:
        evidence.add(customer_id, "iban" if len(owners) == 1 else "shared_iban")


def _names(line: BankLine, portfolio: Portfolio, evidence: Evidence) -> None:
    """The payer's name (or the remittance text when the bank gives none) against the named
    customers; searched among all customers only when nothing else says who pays."""
    tokens = name_tokens(line.counterparty_name or line.remittance)
    if not tokens:
        return
    known = [c for c, doubt in evidence.doubt.items() if doubt <= DOUBT["iban"]]
    if known:
        scores = {c: portfolio.name_score(c, tokens) for c in evidence.doubt}
    else:
        scores = portfolio.similar_customers(tokens, NAME_FLOOR)
    best = max(scores.values(), default=0.0)
    rivals = sum(1 for score in scores.values() if score >= best - 5)
    # Only the closest few names go on: each costs a look at the customer's open items.
    closest = sorted(scores.items(), key=lambda pair: -pair[1])[:MAX_NAMESAKES]
    for customer_id, score in closest:
        if score < best - NAME_SPREAD:
            break
        if score >= NAME_CLOSE:
            reason = "close_name" if rivals == 1 and score == best else "shared_name"
            evidence.add(customer_id, reason)
        elif score >= NAME_FLOOR:
            evidence.add(customer_id, "similar_name")


def explain(
    amount: int,
    named: list[OpenItem],
    pool: list[OpenItem],
    portfolio: Portfolio,
    policy: MatchPolicy,
) -> list[Explanation]:
    """The ways `amount` (cents) pays the customer's items: the named ones first, else the
    open ones (`pool`, oldest first) by exact amount or by a small combination."""
    if named:
        return _explain_named(amount, named, pool, portfolio, policy)
    remaining = portfolio.remaining
    singles = [item for item in pool if remaining[item.id] == amount]
    if singles:
        factor = _amount_factor(amount, pool[0].currency, portfolio)
        factor = factor if len(singles) == 1 else AMBIGUOUS
        return [Explanation(((item.id, amount),), 0, 0, ("amount",), factor) for item in singles]
    chosen = pool[: policy.combination_pool]
    combos = combinations(
        [(item.id, remaining[item.id]) for item in chosen], amount, 2, policy.max_combination
    )
    factor = _combination_factor(len(chosen), policy.max_combination)
    factor = factor if len(combos) == 1 else AMBIGUOUS
    return [Explanation(combo, 0, 0, ("combination",), factor) for combo in combos]


def _amount_factor(amount: int, currency: str, portfolio: Portfolio) -> float:
    """An exact amount says less when many open items share it (round amounts)."""
    sharing = len(portfolio.by_amount.get((currency, amount), ()))
    common = sharing > max(COMMON_AMOUNT, len(portfolio.names) // 1000)
    return COMMON_EXACT if common else EXACT


def _combination_factor(pool: int, largest: int) -> float:
    """A sum found among many subsets may be a coincidence: 4 items give 11 subsets of 2 to
    4 (factor 0.21), 12 give 781 (0.59), 24 give 12,926 (1.0, no help at all)."""
    subsets = sum(math.comb(pool, size) for size in range(2, largest + 1))
    return min(1.0, EXACT + subsets / SUBSETS_PER_DOUBT)


def _explain_named(
    amount: int,
    named: list[OpenItem],
    pool: list[OpenItem],
    portfolio: Portfolio,
    policy: MatchPolicy,
) -> list[Explanation]:
    """Items the line names by reference or number, all paid, paid less fees, partly paid,
    or paid with more (another small combination of open items, else an overpayment)."""
    remaining = portfolio.remaining
    owed = [(item.id, remaining[item.id]) for item in named]
    total = sum(cents_ for _, cents_ in owed)
    if total == amount:
        return [Explanation(tuple(owed), 0, 0, ("amount",), EXACT)]
    if 0 < total - amount <= cents(policy.max_fee):
        return [Explanation(tuple(owed), 0, total - amount, ("fee",), EXACT)]
    if amount < total:
        subset = combinations(owed, amount, 1, policy.max_combination, limit=1)
        if subset and len(owed) > 1:
            return [Explanation(subset[0], 0, 0, ("combination",), EXACT)]
        return [Explanation(_spread(owed, amount), 0, 0, ("partial",), 1.0)]
    others = [(i.id, remaining[i.id]) for i in pool[: policy.combination_pool] if i not in named]
    room = policy.max_combination - len(owed)
    extra = combinations(others, amount - total, 1, room, limit=2) if room > 0 else []
    overpaid = Explanation(tuple(owed), amount - total, 0, ("overpayment",), OVERPAID)
    if len(extra) == 1:
        # The extra may pay unnamed items or be a real overpayment: both are proposed.
        return [Explanation(tuple(owed) + extra[0], 0, 0, ("combination",), 1.0), overpaid]
    return [overpaid]


def _spread(owed: list[tuple[int, int]], amount: int) -> tuple[tuple[int, int], ...]:
    """A partial payment goes to the named items in due-date order."""
    shares, left = [], amount
    for item_id, due in owed:
        if left <= 0:
            break
        shares.append((item_id, min(due, left)))
        left -= shares[-1][1]
    return tuple(shares)


def combinations(
    owed: list[tuple[int, int]], target: int, smallest: int, largest: int, limit: int = 2
) -> list[tuple[tuple[int, int], ...]]:
    """Up to `limit` sets of `smallest`..`largest` items whose amounts add up to `target`
    exactly (a bounded subset sum: largest amounts first, a branch stops as soon as its
    biggest possible sum falls short)."""
    ordered = sorted(owed, key=lambda pair: -pair[1])
    found: list[tuple[tuple[int, int], ...]] = []

    def walk(start: int, left: int, chosen: tuple[tuple[int, int], ...]) -> None:
        if left == 0 and len(chosen) >= smallest:
            found.append(chosen)
            return
        if len(chosen) == largest or len(found) >= limit:
            return
        for index in range(start, len(ordered)):
            pair = ordered[index]
            if pair[1] * (largest - len(chosen)) < left or len(found) >= limit:
                return
            if 0 < pair[1] <= left:
                walk(index + 1, left - pair[1], (*chosen, pair))

    if target > 0:
        walk(0, target, ())
    return found


def candidate(
    customer_id: int, explanation: Explanation, doubt: float, reasons: Iterable[str], unique: bool
) -> Candidate:
    """One candidate, its confidence = 1 - identification doubt x how well the amount fits."""
    left = doubt * explanation.factor
    if unique and explanation.reasons == ("amount",) and len(explanation.shares) == 1:
        left *= UNIQUE_AMOUNT
    confidence = 1 - min(left, 1.0)
    if not explanation.shares:
        confidence = min(confidence, NO_ITEM_CAP)
    return Candidate(
        customer_id=customer_id,
        shares=tuple(Share(item_id, _money(amount)) for item_id, amount in explanation.shares),
        unallocated=_money(explanation.unallocated),
        fee=_money(explanation.fee),
        confidence=Decimal(f"{confidence:.3f}"),
        reasons=(*reasons, *explanation.reasons),
    )


def _money(amount: int) -> Decimal:
    return Decimal(amount).scaleb(-2)
