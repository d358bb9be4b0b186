"""The payment-date backtest table: the model against the due-date and customer-median
baselines, on generated histories and on the real FEC ledgers of ../shared/data/fec.

No database: the histories go straight to relance.forecast.backtest (the same code as
`relance forecast backtest`, after its database reader). Target (issue 6): the model's mean
absolute error at least 10 % below the customer median's.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from relance.core import fec
from relance.core.forecast import History, Item
from relance.demo.generator import PortfolioSpec, generate
from relance.forecast.backtest import backtest

TARGET_GAIN = 0.10
AS_OF_DAYS_BEFORE_END = 182  # learn on everything but the last six months...
HORIZON_DAYS = 91  # ... and test the invoices of the three months after, given time to be paid
GENERATED_TODAY = date(2026, 3, 1)
GENERATED_SEEDS = (1, 2, 3)
MIN_SETTLED = 100  # a FEC with fewer settled invoices (lettered) has no history to learn from


def generated_history(seed: int, today: date = GENERATED_TODAY) -> History:
    """The demo portfolio (300 customers, 5,000 invoices), over two years instead of 18
    months so that the model sees every season once before the as-of date."""
    spec = PortfolioSpec(customers=300, invoices=5_000, today=today, seed=seed, months=24)
    items = []
    for block in generate(spec):
        last: dict[int, date] = {}
        for allocation in block.allocations:
            day = last.get(allocation.invoice_id, date.min)
            last[allocation.invoice_id] = max(allocation.allocated_on, day)
        profile = block.customer.payer_profile
        items += [
            Item(
                row.id,
                block.customer.id,
                row.issued_on,
                row.due_on,
                row.amount,
                profile,
                last.get(row.id) if row.open_amount == 0 else None,
            )  # fmt: skip
            for row in block.invoices
            if row.kind == "invoice"
        ]
    return History(tuple(items))


def fec_history(path: Path) -> History:
    """The invoices of a FEC with their settlement dates from its lettering (the date of the
    lettering group's last line, as `relance import fec` allocates them). A FEC says nothing
    of payer profiles; due dates are the import's (issue date + 30 days when absent)."""
    with open(path, "rb") as handle:
        result = fec.parse(fec.iter_file_lines(iter(lambda: handle.read(1 << 20), b"")))
    settled: dict[str, list] = defaultdict(list)
    for allocation in result.allocations:
        settled[allocation.debit_key].append(allocation)
    customers: dict[str, int] = {}
    items = []
    for number, record in enumerate(result.items, 1):
        if record.is_credit or record.kind.value != "invoice":
            continue
        parts = settled.get(record.source_key, [])
        paid = sum((part.amount for part in parts), start=record.amount * 0)
        paid_on = max(part.allocated_on for part in parts) if paid >= record.amount else None
        customer = customers.setdefault(record.customer_code, len(customers) + 1)
        items.append(Item(number, customer, record.issued_on, record.due_on, record.amount,
                          "", paid_on))  # fmt: skip
    return History(tuple(items))


def as_of_for(history: History) -> date:
    last = max(item.paid_on or item.issued_on for item in history.items)
    return last - timedelta(days=AS_OF_DAYS_BEFORE_END)


def rows_of(name: str, history: History) -> list[dict]:
    """With the horizon, and as `relance forecast backtest` does by default: every invoice
    issued after the as-of date (the latest ones only when they were paid fast)."""
    return [row(name, history, HORIZON_DAYS), row(name, history, None)]


def row(name: str, history: History, horizon_days: int | None) -> dict:
    as_of = as_of_for(history)
    started = time.perf_counter()
    result = backtest(history, as_of, horizon_days)
    return {
        "history": name,
        **result.as_json(),
        "horizon_days": horizon_days,
        "method": result.method,
        "gain_vs_customer_median": result.gain,
        "meets_target": result.gain is not None and result.gain >= TARGET_GAIN,
        "seconds": round(time.perf_counter() - started, 1),
    }


def fec_files(data_dir: Path) -> list[Path]:
    return sorted(path for path in (data_dir / "fec").rglob("*FEC*.txt"))


def run(data_dir: Path) -> list[dict]:
    rows = []
    for seed in GENERATED_SEEDS:
        rows += rows_of(f"generated, seed {seed}", generated_history(seed))
    for path in fec_files(data_dir):
        history = fec_history(path)
        settled = sum(item.paid_on is not None for item in history.items)
        if settled < MIN_SETTLED:
            rows.append({"history": f"FEC {path.name}", "skipped": f"{settled} settled invoices"})
            continue
        rows += rows_of(f"FEC {path.name}", history)
    _print(rows)
    return rows


def _print(rows: list[dict]) -> None:
    print(
        "\nPayment-date backtest (MAE in days; gain = 1 - model / customer median, target ≥ 10 %)"
    )
    header = ("history", "as of", "horizon", "train", "test", "method", "model", "due date",
              "cust. median", "gain")  # fmt: skip
    print(" | ".join(header))
    for r in rows:
        if "skipped" in r:
            print(f"{r['history']} | skipped: {r['skipped']}")
            continue
        mae = r["mae_days"]
        gain = (
            "—" if r["gain_vs_customer_median"] is None else f"{r['gain_vs_customer_median']:.0%}"
        )
        print(" | ".join(str(v) for v in (
            r["history"], r["as_of"], r["horizon_days"] or "—", r["n_train"], r["n_test"],
            r["method"], mae["model"], mae["due_date"], mae["customer_median"], gain,
        )))  # fmt: skip
