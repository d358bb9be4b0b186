"""The payment-date backtest table: the model against the due-date and customer-median
baselines, on generated histories and on the real FEC ledgers of ../shared/data/fec.

No database: the histories go straight to relance.forecast.backtest (the same code as
`relance forecast backtest`, after its database reader). Target (issue 6): the model's mean
absolute error at least 10 % below the customer median's.

Each backtest is shown twice: on the invoices issued within HORIZON_DAYS after the as-of date,
and on every invoice issued after it (what `relance forecast backtest` does without
--horizon), where the last invoices of the history are in the test only when they were paid
fast. Three kinds of history:

- the demo portfolio over two years (300 customers, 5,000 invoices), seeds 1 to 3, each
  backtested nine, six and three months before its end (rolling origins);
- small ones the size of the real FEC (15 customers, 450 invoices over a year, no payer
  profile, since a FEC knows none), seeds 1 to 10: where a model has few examples, shown
  pooled only;
- the real FEC ledgers of ../shared/data/fec that have a lettering.

The small histories and the FEC are backtested on the first day of every month where a model
can be trained and the horizon still fits. The errors of the backtests of each kind are pooled
(weighted by their test items).
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from relance.core import fec
from relance.core.forecast import History, Item
from relance.demo.generator import PortfolioSpec, generate
from relance.forecast.backtest import Backtest, backtests
from relance.forecast.learning import MIN_TRAINING_ITEMS

TARGET_GAIN = 0.10
# A generated history: learn on all but its last nine, six and three months.
AS_OF_DAYS_BEFORE_END = (274, 182, 91)
HORIZON_DAYS = 91
HORIZONS: list[int | None] = [HORIZON_DAYS, None]
GENERATED_TODAY = date(2026, 3, 1)
GENERATED_SEEDS = (1, 2, 3)
SMALL_SEEDS = tuple(range(1, 11))


def generated_history(seed: int, today: date = GENERATED_TODAY) -> History:
    """The demo portfolio (300 customers, 5,000 invoices), over two years instead of 18
    months so that the model sees every season once before the as-of date."""
    spec = PortfolioSpec(customers=300, invoices=5_000, today=today, seed=seed, months=24)
    return _history(spec, profiles=True)


def small_history(seed: int, today: date = GENERATED_TODAY) -> History:
    """A history the size of the real FEC: 15 customers, 450 invoices over a year (a few
    large accounts and many small ones, as the generator spreads them), no payer profile."""
    spec = PortfolioSpec(customers=15, invoices=450, today=today, seed=seed, months=12)
    return _history(spec, profiles=False)


def _history(spec: PortfolioSpec, profiles: bool) -> History:
    items = []
    for block in generate(spec):
        last: dict[int, date] = {}
        for allocation in block.allocations:
            day = last.get(allocation.invoice_id, date.min)
            last[allocation.invoice_id] = max(allocation.allocated_on, day)
        profile = block.customer.payer_profile if profiles else ""
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


def last_day(history: History) -> date:
    return max(item.paid_on or item.issued_on for item in history.items)


def monthly_as_of_dates(history: History) -> list[date]:
    """First days of months with MIN_TRAINING_ITEMS settlements known and HORIZON_DAYS left."""
    settled = sorted(item.paid_on for item in history.items if item.paid_on is not None)
    if len(settled) < MIN_TRAINING_ITEMS:
        return []
    day = settled[MIN_TRAINING_ITEMS - 1] + timedelta(days=1)
    day = date(day.year + day.month // 12, day.month % 12 + 1, 1) if day.day > 1 else day
    dates = []
    while day + timedelta(days=HORIZON_DAYS) <= last_day(history):
        dates.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return dates


def rows_of(name: str, history: History, as_of: date) -> list[dict]:
    started = time.perf_counter()
    results = backtests(history, as_of, HORIZONS)
    seconds = round(time.perf_counter() - started, 1)
    return [
        {"history": name, **_row(result), "horizon_days": horizon, "seconds": seconds}
        for horizon, result in zip(HORIZONS, results, strict=True)
    ]


def _row(result: Backtest) -> dict:
    return {
        **result.as_json(),
        "method": result.method,
        "gain_vs_customer_median": result.gain,
        "meets_target": result.gain is not None and result.gain >= TARGET_GAIN,
    }


def pooled(name: str, rows: list[dict]) -> list[dict]:
    """Per horizon, the MAE of all the rows' test items together (weighted by n_test)."""
    out = []
    for horizon in HORIZONS:
        picked = [r for r in rows if r["horizon_days"] == horizon and r["n_test"]]
        tests = sum(r["n_test"] for r in picked)
        if not tests:
            continue
        mae = {
            key: round(sum(r["mae_days"][key] * r["n_test"] for r in picked) / tests, 2)
            for key in ("model", "due_date", "customer_median")
        }
        gain = round(1 - mae["model"] / mae["customer_median"], 3)
        out.append({
            "history": name, "as_of": f"{len(picked)} dates", "horizon_days": horizon,
            "n_train": None, "n_test": tests, "mae_days": mae, "method": "pooled",
            "gain_vs_customer_median": gain, "meets_target": gain >= TARGET_GAIN,
        })  # fmt: skip
    return out


def fec_files(data_dir: Path) -> list[Path]:
    return sorted(path for path in (data_dir / "fec").rglob("*FEC*.txt"))


def run(data_dir: Path) -> list[dict]:
    rows: list[dict] = []
    for seed in GENERATED_SEEDS:
        history = generated_history(seed)
        for days in AS_OF_DAYS_BEFORE_END:
            as_of = last_day(history) - timedelta(days=days)
            rows += rows_of(f"generated, seed {seed}", history, as_of)
    rows += pooled(f"generated, {len(GENERATED_SEEDS)} seeds", rows)
    small = []
    for seed in SMALL_SEEDS:
        history = small_history(seed)
        small += [row for day in monthly_as_of_dates(history)
                  for row in rows_of(f"small, seed {seed}", history, day)]  # fmt: skip
    rows += pooled(f"small generated, {len(SMALL_SEEDS)} seeds", small)
    for path in fec_files(data_dir):
        history = fec_history(path)
        name = f"FEC {path.name}"
        dates = monthly_as_of_dates(history)
        if not dates:
            settled = sum(item.paid_on is not None for item in history.items)
            rows.append({"history": name, "skipped": f"{settled} settled invoices"})
            continue
        these = [row for day in dates for row in rows_of(name, history, day)]
        rows += these + pooled(f"{name}, pooled", these)
    _print(rows)
    return rows


def _print(rows: list[dict]) -> None:
    print("\nPayment-date backtest (MAE in days; gain = 1 - model / customer median, "
          "target ≥ 10 %)")  # fmt: skip
    header = ("history", "as of", "horizon", "train", "test", "method", "model", "due date",
              "cust. median", "gain")  # fmt: skip
    print(" | ".join(header))
    for r in rows:
        if "skipped" in r:
            print(f"{r['history']} | skipped: {r['skipped']}")
            continue
        mae, gain = r["mae_days"], r["gain_vs_customer_median"]
        print(" | ".join(str(v) for v in (
            r["history"], r["as_of"], r["horizon_days"] or "all", r["n_train"] or "", r["n_test"],
            r["method"], mae["model"], mae["due_date"], mae["customer_median"],
            "—" if gain is None else f"{gain:.0%}",
        )))  # fmt: skip
