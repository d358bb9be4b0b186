"""The benchmark workload written straight to files: a FEC ledger and an invoices CSV.

Rows come from relance.demo.generator (the same portfolio the `generate` command stores),
formatted with plain string joins so that writing a million invoices takes seconds.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import product
from pathlib import Path

from relance.demo.generator import Block, PortfolioSpec, generate

FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
CSV_COLUMNS = (
    "customer_code",
    "customer_name",
    "number",
    "issued_on",
    "due_on",
    "amount",
    "currency",
)
# Lettering codes, per customer account: AAA, AAB, ... (FEC: up to 3 characters in practice).
LETTERS = ["".join(code) for code in product(string.ascii_uppercase, repeat=3)]
SIZES = {"small": (10_000, 100_000), "large": (100_000, 1_000_000)}


@dataclass(frozen=True)
class Workload:
    fec_path: Path
    csv_path: Path
    fec_lines: int
    csv_lines: int
    customers: int
    invoices: int


def write_workload(size: str, folder: Path, today: date, seed: int = 1) -> Workload:
    customers, invoices = SIZES[size]
    spec = PortfolioSpec(
        customers=customers, invoices=invoices, today=today, seed=seed, months=24, open_share=0.3
    )
    folder.mkdir(parents=True, exist_ok=True)
    return write_files(spec, folder / f"fec-{size}.txt", folder / f"invoices-{size}.csv")


def write_files(spec: PortfolioSpec, fec_path: Path, csv_path: Path) -> Workload:
    fec = FecWriter()
    csv_lines = 0
    with (
        fec_path.open("w", encoding="utf-8") as fec_file,
        csv_path.open("w", encoding="utf-8") as csv_file,
    ):
        fec_file.write("\t".join(FEC_COLUMNS) + "\n")
        csv_file.write(";".join(CSV_COLUMNS) + "\n")
        for block in generate(spec):
            fec_file.writelines(fec.lines(block))
            rows = csv_rows(block)
            csv_file.writelines(rows)
            csv_lines += len(rows)
    return Workload(fec_path, csv_path, fec.count, csv_lines, spec.customers, spec.invoices)


def csv_rows(block: Block) -> list[str]:
    c = block.customer
    return [
        f"{c.code};{c.name};{i.number};{i.issued_on};{i.due_on};{i.amount};{i.currency}\n"
        for i in block.invoices
        if not i.is_credit
    ]


def _day(value: date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _amount(value: Decimal) -> str:
    return str(value).replace(".", ",")


class FecWriter:
    """Sales journal (411 debit, 706 and 44571 credit; reversed for credit notes) and bank
    journal (512 debit, 411 credit); 411 lines of fully settled groups carry a lettering."""

    def __init__(self) -> None:
        self.entry = 0
        self.count = 0

    def lines(self, block: Block) -> list[str]:
        letters = lettering(block)
        c = block.customer
        aux = (c.code, c.name)
        out: list[str] = []
        for item in block.invoices:
            net, tax = item.amount_excl_tax, item.amount - item.amount_excl_tax
            sides = [
                ("411000", "Clients", *aux, item.amount, 0),
                ("706000", "Prestations de services", "", "", net, 1),
                ("44571000", "TVA collectée", "", "", tax, 1),
            ]
            out += self._entry(
                "VE",
                "Ventes",
                item.issued_on,
                item.number,
                item.number,
                sides,
                item.is_credit,
                letters.get(("i", item.id)),
            )
        for payment in block.payments:
            sides = [
                ("512000", "Banque", "", "", payment.amount, 0),
                ("411000", "Clients", *aux, payment.amount, 1),
            ]
            out += self._entry(
                "BQ",
                "Banque",
                payment.received_on,
                payment.reference,
                payment.label,
                sides,
                False,
                letters.get(("p", payment.id)),
            )
        self.count += len(out)
        return out

    def _entry(
        self,
        journal: str,
        journal_label: str,
        on: date,
        piece: str,
        label: str,
        sides: list,
        reverse: bool,
        letter: tuple[str, date] | None,
    ) -> list[str]:
        self.entry += 1
        day = _day(on)
        lines = []
        for account, account_label, aux_code, aux_label, amount, side in sides:
            if amount == 0:
                continue
            text = _amount(amount)
            debit, credit = (text, "0,00") if side ^ reverse == 0 else ("0,00", text)
            code, let_on = (letter[0], _day(letter[1])) if letter and aux_code else ("", "")
            lines.append(
                "\t".join(
                    (
                        journal,
                        journal_label,
                        f"{journal}{self.entry:08d}",
                        day,
                        account,
                        account_label,
                        aux_code,
                        aux_label,
                        piece,
                        day,
                        label,
                        debit,
                        credit,
                        code,
                        let_on,
                        day,
                        "",
                        "",
                    )
                )
                + "\n"
            )
        return lines


def lettering(block: Block) -> dict[tuple[str, int], tuple[str, date]]:
    """Letter code and date for each item and payment of a fully settled group: the items and
    payments linked by allocations, all with nothing left open."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    last_day: dict[tuple[str, int], date] = {}
    for a in block.allocations:
        source = ("p", a.payment_id) if a.payment_id else ("i", a.credit_item_id)
        top = root(("i", a.invoice_id))
        other = root(source)
        parent[other] = top
        last_day[top] = max(
            a.allocated_on, last_day.get(top, a.allocated_on), last_day.get(other, a.allocated_on)
        )
    return _settled_groups(block, parent, root, last_day)


def _settled_groups(block: Block, parent, root, last_day) -> dict:
    left = {("i", i.id): i.open_amount for i in block.invoices}
    left |= {("p", p.id): p.unallocated_amount for p in block.payments}
    is_open: dict = {}
    for node in parent:
        top = root(node)
        is_open[top] = is_open.get(top, False) or left[node] > 0
    codes = {
        top: LETTERS[n % len(LETTERS)]
        for n, top in enumerate(t for t in _unique(root(n) for n in parent) if not is_open[t])
    }
    return {
        node: (codes[root(node)], last_day[root(node)]) for node in parent if root(node) in codes
    }


def _unique(nodes: Iterable) -> list:
    return list(dict.fromkeys(nodes))
