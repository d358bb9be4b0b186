"""Labelled bank statements: lines paying a portfolio of open items the way real payers do,
each with the truth of what it pays, so that matching can be measured.

Plain Python over `random.Random(seed)` (no Django), so the bench can use it without a
database. The noise is what accountants see on French statements: references mistyped or
missing, invoice numbers mangled ("fa 2024 1234", "20240001234", "FA2024/1234"), grouped
payments, partial payments, bank fees deducted by foreign banks, abbreviated or misspelt
payer names, payments from a parent company (another name, no reference), and lines that
pay nothing of ours (salaries, bank fees, refunds, returned direct debits).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from stdnum import iban

from relance.core.bank.records import BankLine
from relance.core.matching import CustomerHint, OpenItem, Share, creditor_reference
from relance.core.matching_text import ascii_upper

from . import words
from .identity import company_name, person_name

ZERO = Decimal(0)
# What each generated line is, and how often (weights, in % of lines).
KINDS = {
    "reference": 22,  # the RF reference of our reminder, exact amount
    "number": 30,  # an invoice number in the remittance, mangled, exact amount
    "name_amount": 8,  # no number: the payer's name and the exact amount of one invoice
    "grouped": 10,  # 2 to 4 invoices of one customer in one transfer
    "partial": 4,  # part of one invoice, its number given
    "fee": 4,  # one invoice less bank fees deducted by the payer's bank
    "overpayment": 2,  # one invoice and a little more
    "split": 3,  # one invoice paid in two transfers (two lines)
    "parent": 3,  # paid by the parent company: another name, no reference
    "unrelated": 12,  # salaries, bank fees, refunds, returned debits: pays nothing of ours
}
PAYING = tuple(kind for kind in KINDS if kind != "unrelated")


@dataclass(frozen=True)
class LabelledLine:
    """A bank line and what it truly pays: `customer_id` None when it pays nothing of ours."""

    line: BankLine
    kind: str
    customer_id: int | None = None
    shares: tuple[Share, ...] = ()
    fee: Decimal = ZERO
    unallocated: Decimal = ZERO


def portfolio(
    customers: int, items: int, seed: int = 1, today: date = date(2026, 3, 1)
) -> tuple[list[OpenItem], list[CustomerHint]]:
    """Open items spread over customers (a few customers owe many), numbered like the demo
    ledger ("FA2025-0001234"), half of them with the RF reference printed on reminders, and
    customers of whom 60 % already paid from an IBAN we learned."""
    rng = random.Random(seed)
    hints = [
        CustomerHint(id_, company_name(rng), (random_iban(rng),) if rng.random() < 0.6 else ())
        for id_ in range(1, customers + 1)
    ]
    open_items = []
    for id_ in range(1, items + 1):
        customer_id = min(int(rng.paretovariate(1.2)), customers) if rng.random() < 0.1 else 0
        customer_id = customer_id or rng.randint(1, customers)
        issued_on = today - timedelta(days=rng.randint(1, 240))
        number = f"FA{issued_on.year}-{id_:07d}"
        reference = creditor_reference(number) if rng.random() < 0.5 else ""
        amount = _amount(rng)
        due_on = issued_on + timedelta(days=rng.choice((30, 45, 60)))
        open_items.append(
            OpenItem(id_, customer_id, number, amount, "EUR", due_on, issued_on, reference)
        )
    return open_items, hints


def _amount(rng: random.Random) -> Decimal:
    """Log-uniform between 20 and 20,000 EUR, in cents; one in ten a round hundred."""
    value = 20 * 1000 ** rng.random()
    if rng.random() < 0.1:
        return Decimal(max(1, round(value / 100)) * 100)
    return Decimal(round(value * 100)).scaleb(-2)


def random_iban(rng: random.Random) -> str:
    """A French IBAN with valid check digits (bank, branch, account, RIB key at random)."""
    bban = f"{rng.randrange(10**5):05d}{rng.randrange(10**5):05d}{rng.randrange(10**11):011d}"
    bban += f"{rng.randrange(100):02d}"
    return f"FR{iban.calc_check_digits('FR00' + bban)}{bban}"


@dataclass
class _Book:
    """Who owes what, as lines are written: an item is paid by one story only."""

    rng: random.Random
    items: dict[int, list[OpenItem]]  # customer id -> unpaid items, oldest due first
    hints: dict[int, CustomerHint]
    on: date
    customer_ids: list[int] = field(default_factory=list)
    line_number: int = 0

    def pick(self, count: int = 1) -> tuple[CustomerHint, list[OpenItem]] | None:
        """A customer with at least `count` unpaid items, and its `count` oldest ones
        (payers mostly settle what is oldest), taken out of the book."""
        for _ in range(20):
            customer_id = self.rng.choice(self.customer_ids)
            owed = self.items.get(customer_id, [])
            if len(owed) >= count:
                start = self.rng.randrange(min(3, len(owed) - count + 1))
                taken = owed[start : start + count]
                del owed[start : start + count]
                return self.hints[customer_id], taken
        return None

    def line(self, amount: Decimal, **fields: object) -> BankLine:
        self.line_number += 1
        self.on += timedelta(days=1) if self.rng.random() < 0.02 else timedelta(0)
        return BankLine(self.line_number, self.on, amount, "EUR", **fields)  # type: ignore[arg-type]


def statement(
    items: list[OpenItem], customers: list[CustomerHint], lines: int, seed: int = 1
) -> list[LabelledLine]:
    """About `lines` labelled lines paying `items` (each item paid at most once in all),
    in booking order, from the day after the latest issue date."""
    rng = random.Random(seed)
    owed: dict[int, list[OpenItem]] = {}
    for item in sorted(items, key=lambda item: (item.due_on, item.id)):
        owed.setdefault(item.customer_id, []).append(item)
    start = max((item.issued_on for item in items), default=date(2026, 1, 1))
    book = _Book(rng, owed, {hint.id: hint for hint in customers}, start + timedelta(days=1))
    book.customer_ids = list(owed)
    out: list[LabelledLine] = []
    kinds, weights = list(KINDS), list(KINDS.values())
    while len(out) < lines:
        out.extend(_STORIES[rng.choices(kinds, weights)[0]](book))
    return out[:lines]


# --- one function per kind of line ------------------------------------------------------


def _reference(book: _Book) -> Iterator[LabelledLine]:
    picked = book.pick()
    if picked is None:
        return
    hint, (item,) = picked
    rng = book.rng
    reference = item.reference or creditor_reference(item.number)
    if rng.random() < 0.05:  # mistyped: one digit wrong, the check digits then fail
        reference = _mistype(rng, reference)
    remittance = _number_text(rng, item.number) if rng.random() < 0.3 else ""
    line = book.line(
        item.open_amount,
        structured_reference=reference,
        remittance=remittance,
        **_payer(rng, hint),
    )
    yield LabelledLine(line, "reference", hint.id, (Share(item.id, item.open_amount),))


def _number(book: _Book) -> Iterator[LabelledLine]:
    picked = book.pick()
    if picked is None:
        return
    hint, (item,) = picked
    text = _number_text(book.rng, item.number)
    line = book.line(item.open_amount, remittance=text, **_payer(book.rng, hint))
    yield LabelledLine(line, "number", hint.id, (Share(item.id, item.open_amount),))


def _name_amount(book: _Book) -> Iterator[LabelledLine]:
    picked = book.pick()
    if picked is None:
        return
    hint, (item,) = picked
    text = book.rng.choice(("REGLEMENT", "VIREMENT", "PAIEMENT FACTURES", ""))
    line = book.line(item.open_amount, remittance=text, **_payer(book.rng, hint))
    yield LabelledLine(line, "name_amount", hint.id, (Share(item.id, item.open_amount),))


def _grouped(book: _Book) -> Iterator[LabelledLine]:
    picked = book.pick(book.rng.randint(2, 4))
    if picked is None:
        return
    hint, taken = picked
    rng = book.rng
    numbers = [_number_text(rng, item.number, bare=True) for item in taken]
    text = "FACT " + " ".join(numbers) if rng.random() < 0.6 else "REGLEMENT RELEVE"
    total = sum((item.open_amount for item in taken), ZERO)
    line = book.line(total, remittance=text, **_payer(rng, hint))
    shares = tuple(Share(item.id, item.open_amount) for item in taken)
    yield LabelledLine(line, "grouped", hint.id, shares)


def _partial(book: _Book) -> Iterator[LabelledLine]:
    picked = book.pick()
    if picked is None or picked[1][0].open_amount < 100:
        return
    hint, (item,) = picked
    paid = (item.open_amount * Decimal(book.rng.choice((20, 30, 40, 50)))).scaleb(-2)
    paid = paid.quantize(Decimal("0.01"))
    text = "ACOMPTE " + _number_text(book.rng, item.number, bare=True)
    line = book.line(paid, remittance=text, **_payer(book.rng, hint))
    yield LabelledLine(line, "partial", hint.id, (Share(item.id, paid),))


def _fee(book: _Book) -> Iterator[LabelledLine]:
    picked = book.pick()
    if picked is None or picked[1][0].open_amount < 200:
        return
    hint, (item,) = picked
    fee = Decimal(book.rng.choice(("7.50", "12.00", "15.00", "18.35", "25.00")))
    text = _number_text(book.rng, item.number)
    line = book.line(item.open_amount - fee, remittance=text, **_payer(book.rng, hint))
    yield LabelledLine(line, "fee", hint.id, (Share(item.id, item.open_amount),), fee=fee)


def _overpayment(book: _Book) -> Iterator[LabelledLine]:
    picked = book.pick()
    if picked is None:
        return
    hint, (item,) = picked
    extra = Decimal(book.rng.choice(("0.50", "1.00", "10.00", "40.00", "100.00")))
    reference = item.reference or creditor_reference(item.number)
    line = book.line(
        item.open_amount + extra, structured_reference=reference, **_payer(book.rng, hint)
    )
    shares = (Share(item.id, item.open_amount),)
    yield LabelledLine(line, "overpayment", hint.id, shares, unallocated=extra)


def _split(book: _Book) -> Iterator[LabelledLine]:
    picked = book.pick()
    if picked is None or picked[1][0].open_amount < 100:
        return
    hint, (item,) = picked
    first = (item.open_amount * Decimal(book.rng.choice((30, 40, 50)))).scaleb(-2)
    first = first.quantize(Decimal("0.01"))
    for amount in (first, item.open_amount - first):
        text = _number_text(book.rng, item.number)
        line = book.line(amount, remittance=text, **_payer(book.rng, hint))
        yield LabelledLine(line, "split", hint.id, (Share(item.id, amount),))


def _parent(book: _Book) -> Iterator[LabelledLine]:
    picked = book.pick()
    if picked is None:
        return
    hint, (item,) = picked
    parent = f"{company_name(book.rng)} HOLDING"
    line = book.line(
        item.open_amount,
        counterparty_name=parent.upper(),
        counterparty_iban=random_iban(book.rng),
        remittance="REGLEMENT FOURNISSEUR",
    )
    yield LabelledLine(line, "parent", hint.id, (Share(item.id, item.open_amount),))


def _unrelated(book: _Book) -> Iterator[LabelledLine]:
    rng = book.rng
    choice = rng.randrange(5)
    amount = Decimal(rng.randint(500, 900_000)).scaleb(-2)
    if choice == 0:
        yield LabelledLine(
            book.line(-amount, counterparty_name=person_name(rng).upper(), remittance="SALAIRE"),
            "unrelated",
        )
    elif choice == 1:
        fee = Decimal(rng.randint(100, 9_000)).scaleb(-2)
        yield LabelledLine(book.line(-fee, remittance="FRAIS TENUE DE COMPTE"), "unrelated")
    elif choice == 2:
        insurer = rng.choice(("AXA FRANCE", "MAAF ASSURANCES", "URSSAF", "DGFIP REMBT TVA"))
        line = book.line(
            amount, counterparty_name=insurer, remittance=f"REMBOURSEMENT {rng.randrange(10**8)}"
        )
        yield LabelledLine(line, "unrelated")
    elif choice == 3:
        line = book.line(-amount, remittance="PRLV SEPA IMPAYE", is_return=True)
        yield LabelledLine(line, "unrelated")
    else:
        supplier = f"{rng.choice(words.TRADES)} {rng.choice(words.FAMILY_NAMES)} AVOIR".upper()
        line = book.line(
            amount, counterparty_name=supplier, remittance="REMBOURSEMENT AVOIR FOURNISSEUR"
        )
        yield LabelledLine(line, "unrelated")


_STORIES = {
    "reference": _reference,
    "number": _number,
    "name_amount": _name_amount,
    "grouped": _grouped,
    "partial": _partial,
    "fee": _fee,
    "overpayment": _overpayment,
    "split": _split,
    "parent": _parent,
    "unrelated": _unrelated,
}


# --- noise ------------------------------------------------------------------------------


def _payer(rng: random.Random, hint: CustomerHint) -> dict[str, str]:
    """Name as the payer's bank writes it, and the IBAN: the learned one 70 % of the time."""
    payer_iban = hint.ibans[0] if hint.ibans and rng.random() < 0.7 else random_iban(rng)
    return {"counterparty_name": mangle_name(rng, hint.name), "counterparty_iban": payer_iban}


def mangle_name(rng: random.Random, name: str) -> str:
    """'Boulangerie Dupont SARL' as banks and payers write it: upper case without accents,
    sometimes without its legal form, abbreviated, truncated to 20 characters or misspelt."""
    text = ascii_upper(name)
    roll = rng.random()
    if roll < 0.35:
        return text
    words_ = text.split()
    if roll < 0.5:
        return " ".join(
            w for w in words_ if w not in ("SARL", "SAS", "SASU", "EURL", "SA", "SCI", "SNC", "EI")
        )
    if roll < 0.65:
        return " ".join(w[:5] if len(w) > 6 and rng.random() < 0.5 else w for w in words_)
    if roll < 0.8:
        return text[:20].rstrip()
    return _mistype(rng, text, letters=True)


def _mistype(rng: random.Random, text: str, letters: bool = False) -> str:
    """One character replaced (a digit by another digit, a letter by a neighbour letter)."""
    positions = [i for i, c in enumerate(text) if (c.isalpha() if letters else c.isdigit())]
    if not positions:
        return text
    at = rng.choice(positions[2:] or positions)
    old = text[at]
    pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if letters else "0123456789"
    new = rng.choice(pool.replace(old, ""))
    return text[:at] + new + text[at + 1 :]


def _number_text(rng: random.Random, number: str, bare: bool = False) -> str:
    """An invoice number as payers type it, in a remittance ('FACT fa 2024 1234')."""
    prefix, _, tail = number.partition("-")  # "FA2024", "0001234"
    letters, year = prefix[:2], prefix[2:]
    variants = (
        number,
        number.lower(),
        f"{letters} {year} {tail}",
        f"{year}-{tail}",
        f"{letters}{year}-{tail.lstrip('0')}",
        f"{letters}{year}/{tail}",
        f"{year}{tail}",
        f"FAC {year} {tail.lstrip('0')}",
    )
    text = rng.choice(variants)
    if bare:
        return text
    return rng.choice(("FACT {}", "REGLEMENT FACTURE {}", "{}", "VIR {} MERCI", "N {}")).format(
        text
    )
