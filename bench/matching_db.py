"""Payment matching through the database: `run_matching` end to end (reading, deciding,
applying the sure matches, storing the proposals), as `relance match` runs it.

    python -m bench --matching-db [--db sqlite|postgres]   # this step alone
    python -m bench [--db ...]                             # after the other steps

The company is loaded off the clock, in bulk (relance.ledger.bulk): the portfolio of
`relance.demo.statements` (100,000 customers with their learned IBANs, 300,000 open invoices)
and the 50,000 labelled lines it generates, stored as one imported statement. Then one
`run_matching` of the company is timed in a forked child (bench.steps.measure).
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction

from relance.core.bank.records import BankLine as LineRecord
from relance.demo.statements import portfolio, statement
from relance.ledger.bulk import BulkTable, reserve_ids

from . import steps
from .matching import SIZE, TARGET_SECONDS

COMPANY = "BENCH-MATCH"
ACCOUNT = "FR7630006000011234567890189"


def run(seed: int = 1) -> dict:
    call_command("migrate", verbosity=0, interactive=False)
    loaded = steps.measure(load, seed)
    timed = steps.measure(match, COMPANY)
    result = {"loaded": loaded, "run_matching": timed}
    _print(result)
    return result


def load(seed: int) -> dict:
    """The company, its customers, learned IBANs, open invoices and one statement of lines."""
    from relance.banking.convert import LINE_FIELDS
    from relance.banking.models import BankLine, CustomerIBAN, Statement
    from relance.ledger.models import Customer, Invoice
    from relance.ledger.services import create_company

    customers, items, lines = SIZE
    open_items, hints = portfolio(customers, items, seed=seed)
    labelled = statement(open_items, hints, lines, seed=seed + 1)
    with transaction.atomic():
        company = create_company(COMPANY, "Benchmark matching")
        constants = {"company_id": company.pk}
        ids = reserve_ids(Customer, len(hints))
        customer_ids = dict(zip((h.id for h in hints), ids, strict=True))
        BulkTable(Customer, ("id", "code", "name"), constants).write(
            (customer_ids[h.id], f"C{h.id:06d}", h.name) for h in hints
        )
        BulkTable(CustomerIBAN, ("customer_id", "iban"), constants).write(
            (customer_ids[h.id], iban) for h in hints for iban in h.ibans
        )
        BulkTable(Invoice, _INVOICE_FIELDS, constants).write(
            (customer_ids[i.customer_id], i.number, i.issued_on, i.due_on, i.open_amount)
            + (i.open_amount, i.currency, i.reference)
            for i in open_items
        )
        head = Statement.objects.create(
            company=company,
            account=ACCOUNT,
            currency="EUR",
            format="bench",
            fingerprint="bench",
            line_count=len(labelled),
        )
        BulkTable(
            BankLine, ("statement_id", "account", "fingerprint", *LINE_FIELDS), constants
        ).write(
            (head.pk, ACCOUNT, f"bench-{n}", *_line_values(item.line))
            for n, item in enumerate(labelled)
        )
    return {"lines": len(labelled), "note": f"{customers:,} customers, {items:,} open items"}


_INVOICE_FIELDS = (
    "customer_id",
    "number",
    "issued_on",
    "due_on",
    "amount",
    "open_amount",
    "currency",
    "payment_reference",
)


def _line_values(line: LineRecord) -> tuple:
    from relance.banking.convert import LINE_FIELDS  # the fields the app stores and reads

    return tuple(getattr(line, name) for name in LINE_FIELDS)


def match(company_code: str) -> dict:
    """The product: relance.banking.matching.run_matching, end to end."""
    from relance.banking.matching import run_matching
    from relance.ledger.models import Company

    report = run_matching(Company.objects.get(code=company_code))
    return {
        "lines": report.lines,
        "applied": len(report.applied),
        "proposed": len(report.proposed),
        "unmatched": len(report.unmatched),
        "returns": len(report.returns),
    }


def _print(result: dict) -> None:
    loaded, timed = result["loaded"], result["run_matching"]
    seconds = timed.get("seconds")
    rate = timed["lines"] / seconds if seconds and timed["lines"] else None
    print(f"\n{'matching through the database':<52} {'measured':>20}  target")
    print("-" * 90)
    rows = [
        ("load (off the clock)", f"{loaded['seconds']:.1f} s", loaded.get("note", "")),
        (
            f"run_matching: {timed['lines']:,} lines x {SIZE[1]:,} open items",
            f"{seconds:.1f} s" if seconds else "failed",
            f"seconds, not minutes (< {TARGET_SECONDS:.0f} s)",
        ),
        ("run_matching: lines/s", f"{rate:,.0f}" if rate else "", ""),
        (
            "run_matching: applied / proposed / unmatched",
            f"{timed.get('applied', 0):,} / {timed.get('proposed', 0):,} / "
            f"{timed.get('unmatched', 0):,}",
            "",
        ),
        ("run_matching: returns", f"{timed.get('returns', 0):,}", ""),
        ("run_matching: peak memory", f"{timed['peak_mb']:.0f} MB", ""),
    ]
    for label, measured, target in rows:
        print(f"{label:<52} {measured:>20}  {target}")
    if timed.get("note"):
        print(timed["note"])
