"""The labelled statement generator, and matching measured against it on a small scale
(the large measurement is `python -m bench --matching-only`)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from relance.core.matching import match_lines
from relance.demo.statements import PAYING, portfolio, statement


def test_same_seed_same_statement() -> None:
    items, customers = portfolio(200, 600, seed=3)
    assert statement(items, customers, 300, seed=4) == statement(items, customers, 300, seed=4)


def test_no_item_is_paid_more_than_is_open() -> None:
    items, customers = portfolio(500, 1500, seed=1)
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for labelled in statement(items, customers, 1000, seed=2):
        for share in labelled.shares:
            paid[share.item_id] += share.amount
        total = sum((s.amount for s in labelled.shares), Decimal(0))
        if labelled.kind in PAYING:
            assert labelled.line.amount == total - labelled.fee + labelled.unallocated
    open_amounts = {item.id: item.open_amount for item in items}
    assert all(amount <= open_amounts[item_id] for item_id, amount in paid.items())


def test_sure_matches_are_right_on_a_generated_statement() -> None:
    items, customers = portfolio(2000, 6000, seed=1)
    labelled = statement(items, customers, 1500, seed=2)
    matches = match_lines(list(enumerate(x.line for x in labelled)), items, customers)
    sure = [(x, m) for x, m in zip(labelled, matches, strict=True) if m.is_sure]
    right = [
        x
        for x, m in sure
        if m.candidates[0].customer_id == x.customer_id
        and set(m.candidates[0].shares) == set(x.shares)
    ]
    paying = [x for x in labelled if x.customer_id is not None]
    assert len(right) >= 0.995 * len(sure)
    assert len(right) >= 0.9 * len(paying)
