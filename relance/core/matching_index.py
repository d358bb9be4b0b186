"""The open items and customers of one matching call, indexed for O(1) look-ups per line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz, process

from .matching_records import CustomerHint, OpenItem
from .matching_text import compact, compact_iban, name_tokens, number_keys

PREFIX = 4  # name blocks: customers sharing the first letters of a significant word
MAX_BLOCK = 5_000  # above this a single-word block is too common to search


def cents(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value())


def _prefixes(tokens: tuple[str, ...]) -> list[str]:
    return sorted({token[:PREFIX] for token in tokens if len(token) >= 3})


def _pairs(prefixes: list[str]) -> list[str]:
    return [f"{a} {b}" for i, a in enumerate(prefixes) for b in prefixes[i + 1 :]]


@dataclass
class Portfolio:
    """Items by reference, number key, customer and amount; customers by IBAN and name."""

    items: dict[int, OpenItem] = field(default_factory=dict)
    remaining: dict[int, int] = field(default_factory=dict)  # item id -> cents still open
    by_reference: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_number: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_customer: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_amount: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    names: dict[int, str] = field(default_factory=dict)  # customer id -> normalised name
    by_iban: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    blocks: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls, items: Sequence[OpenItem], customers: Sequence[CustomerHint]) -> Portfolio:
        portfolio = cls()
        for item in sorted(items, key=lambda item: (item.due_on, item.issued_on, item.id)):
            portfolio._add_item(item)
        for customer in customers:
            portfolio._add_customer(customer)
        return portfolio

    def _add_item(self, item: OpenItem) -> None:
        if item.open_amount <= 0:
            return
        self.items[item.id] = item
        self.remaining[item.id] = cents(item.open_amount)
        if item.reference:
            self.by_reference[compact(item.reference)].append(item.id)
        for key in number_keys(item.number):
            self.by_number[key].append(item.id)
        self.by_customer[item.customer_id].append(item.id)  # oldest due date first
        self.by_amount[(item.currency, self.remaining[item.id])].append(item.id)

    def _add_customer(self, customer: CustomerHint) -> None:
        tokens = name_tokens(customer.name)
        self.names[customer.id] = " ".join(tokens)
        for iban in customer.ibans:
            self.by_iban[compact_iban(iban)].add(customer.id)
        prefixes = _prefixes(tokens)
        for key in prefixes + _pairs(prefixes):
            self.blocks[key].append(customer.id)

    def open_items(self, customer_id: int, currency: str) -> list[OpenItem]:
        """The customer's items still open in `currency`, oldest due date first."""
        items, remaining = self.items, self.remaining
        return [
            items[item_id]
            for item_id in self.by_customer.get(customer_id, ())
            if remaining[item_id] > 0 and items[item_id].currency == currency
        ]

    def name_score(self, customer_id: int, tokens: tuple[str, ...]) -> float:
        """0-100: the mean of rapidfuzz's token sort and token set ratios, so that a name
        with a word dropped or misspelt scores high but one common word alone does not."""
        return _score(" ".join(tokens), self.names.get(customer_id, ""))

    def similar_customers(self, tokens: tuple[str, ...], cutoff: float) -> dict[int, float]:
        """Customers whose name scores at least `cutoff` against `tokens`, searched only in
        the blocks of customers sharing two word prefixes (or, failing that, one)."""
        prefixes = _prefixes(tokens)
        if not prefixes:
            return {}
        pool = self._block(_pairs(prefixes)) or self._block(prefixes, MAX_BLOCK)
        if not pool:
            return {}
        query = " ".join(tokens)
        choices = {customer_id: self.names[customer_id] for customer_id in pool}
        # The mean is at least `cutoff` only if the set ratio is at least 2 * cutoff - 100:
        # one C-speed pass over the block, then the mean for the few that pass.
        rough = process.extract(
            query, choices, scorer=fuzz.token_set_ratio, score_cutoff=2 * cutoff - 100, limit=None
        )
        scores = {key: _score(query, name) for name, _, key in rough}
        return {key: score for key, score in scores.items() if score >= cutoff}

    def _block(self, keys: list[str], cap: int | None = None) -> set[int]:
        blocks = [self.blocks[key] for key in keys if key in self.blocks]
        if cap is not None:
            blocks = [block for block in blocks if len(block) <= cap]
        return set().union(*blocks) if blocks else set()


def _score(query: str, choice: str) -> float:
    if not query or not choice:
        return 0.0
    return (fuzz.token_sort_ratio(query, choice) + fuzz.token_set_ratio(query, choice)) / 2
