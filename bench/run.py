"""The benchmark run: build the workload files, then time each step and print the table."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

from django.core.management import call_command

from . import steps
from .workload import SIZES, write_workload

TARGET = "≥100,000 l/s, ≤2x bare"


def run(size: str, db: str, seed: int, folder: Path) -> dict:
    today = date(2026, 3, 1)  # fixed, so that every run builds the same files
    call_command("migrate", verbosity=0, interactive=False)
    rows: list[dict] = []
    generated = steps.measure(_write_files, size, folder, today, seed)
    workload = generated.pop("workload")
    rows.append({"operation": "write FEC + CSV files", **generated})
    for kind, path, delimiter, lines in (
        ("fec", workload["fec_path"], "\t", workload["fec_lines"]),
        ("invoices", workload["csv_path"], ";", workload["csv_lines"]),
    ):
        rows += _file_steps(kind, Path(path), delimiter, lines)
    if not steps.import_available():
        rows += dunning_steps("BENCH-FEC", today)
    _print(rows)
    customers, invoices = SIZES[size]
    return {
        "date": date.today().isoformat(),
        "size": size,
        "db": db,
        "seed": seed,
        "workload": {"customers": customers, "invoices": invoices, "open_share": 0.3, **workload},
        "steps": rows,
    }


def _write_files(size: str, folder: Path, today: date, seed: int) -> dict:
    workload = write_workload(size, folder, today, seed)
    return {"lines": workload.fec_lines + workload.csv_lines, "workload": asdict(workload)}


def _file_steps(kind: str, path: Path, delimiter: str, lines: int) -> list[dict]:
    label = "FEC" if kind == "fec" else "CSV"
    read = {
        "operation": f"{label}: csv read (baseline)",
        **steps.measure(steps.csv_read, path, delimiter),
    }
    bare = {
        "operation": f"{label}: read + bare insert (baseline)",
        **steps.measure(steps.bare_insert, path, delimiter),
    }
    missing = steps.import_available()
    if missing:
        real = {
            "operation": f"{label}: import_file",
            "lines": 0,
            "seconds": None,
            "peak_mb": None,
            "note": missing,
        }
    else:
        _create_company(kind)
        real = {
            "operation": f"{label}: import_file",
            **steps.measure(steps.real_import, f"BENCH-{kind.upper()}", kind, path, lines),
        }
        if real["seconds"]:
            real["ratio"] = real["seconds"] / bare["seconds"]
            real["target"] = TARGET
    return [read, bare, real]


WEEK = 5  # the business days timed after the next day's, for their median


def dunning_steps(code: str, today: date) -> list[dict]:
    """The daily run over the ledger the FEC import left, next to a bare read of its open
    items (DESIGN.md: within 2x of it): first the catch-up run of a ledger never reminded
    (every overdue customer gets a message), then the next day's run, which still carries the
    catch-up's tail (the calls and letters it held back: no burst), then the WEEK business days
    after it (weekend runs create nothing), whose median is shown with the slowest of them:
    the catch-up's echo, when the minimum gap after it ends for every customer reminded that
    day. `code`: the company, whose scenarios are seeded here."""
    from relance.core.calendar import BusinessCalendar

    calendar = BusinessCalendar()
    today = calendar.next_business_day(today)  # no step on a weekend: from a business day
    steps.seed_scenarios(code)
    # The fastest of three bare reads: the strictest baseline on a machine shared with others.
    reads = [steps.measure(steps.read_open_items, code) for _ in range(3)]
    bare = {
        "operation": "dunning: bare read of open items (best of 3)",
        **min(reads, key=lambda read: read["seconds"]),
    }
    rows = [bare]
    for label, day in (
        ("dunning: first run (catch-up, plan + outbox)", today),
        ("dunning: next day's run (plan + outbox)", today + timedelta(days=1)),
    ):
        rows.append(
            _against(bare, {"operation": label, **steps.measure(steps.dunning_run, code, day)})
        )
        if day == today:
            _with_writes(rows[-1], bare, steps.measure(steps.bare_write, code, day))
    days, day = [], today + timedelta(days=1)
    while len(days) < WEEK:
        day = calendar.next_business_day(day + timedelta(days=1))
        days.append(day)
    week = [steps.measure(steps.dunning_run, code, day) for day in days]
    timed = sorted(week, key=lambda run: run["seconds"] or 0)
    median, slowest = timed[WEEK // 2], timed[-1]
    label = f"dunning: {WEEK} business days after"
    rows.append(_against(bare, {**median, "operation": f"{label} (median)"}))
    rows.append(_against(bare, {**slowest, "operation": f"{label} (slowest)"}))
    slowest_on = days[week.index(slowest)]
    _with_writes(rows[-1], bare, steps.measure(steps.bare_write, code, slowest_on))
    rows[-2]["days"] = [
        {"day": day.isoformat(), "seconds": run["seconds"], "note": run["note"]}
        for day, run in zip(days, week, strict=True)
    ]
    return rows


def _with_writes(run: dict, bare: dict, written: dict) -> None:
    """A day that writes many reminders (the catch-up, its echo) is also compared with the
    bare read plus a bare write of the rows it wrote (steps.bare_write): what no run that
    writes them can go under."""
    run["bare_write"] = {"rows": written["lines"], "seconds": written["seconds"]}
    limit = bare["seconds"] + written["seconds"]
    run["ratio_with_writes"] = run["seconds"] / limit if limit and run.get("seconds") else None
    run["note"] += (
        f"; bare write of its {written['lines']:,} rows {written['seconds']:.2f} s: "
        f"{_num(run['ratio_with_writes'], '.2f')}x the bare read + that write"
    )


def _against(bare: dict, real: dict) -> dict:
    if real.get("seconds") and bare.get("seconds"):
        real["ratio"] = real["seconds"] / bare["seconds"]
        real["target"] = "≤2x bare read"
    return real


def _create_company(kind: str) -> None:
    from relance.ledger.services import create_company

    create_company(f"BENCH-{kind.upper()}", f"Benchmark {kind}")


def _print(rows: list[dict]) -> None:
    header = (
        f"{'operation':<38} {'lines':>10} {'seconds':>9} {'lines/s':>10} "
        f"{'ratio':>6} {'peak MB':>8}  target"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        seconds = row.get("seconds")
        rate = row["lines"] / seconds if seconds else None
        row["lines_per_s"] = round(rate) if rate else None
        ratio = f"{row['ratio']:.2f}x" if row.get("ratio") else ""
        print(
            f"{row['operation']:<38} {row['lines']:>10,} "
            f"{_num(seconds, '.2f'):>9} {_num(rate, ',.0f'):>10} {ratio:>6} "
            f"{_num(row.get('peak_mb'), '.0f'):>8}  {row.get('target', '')}"
        )
        if row.get("note"):
            print(f"{'':<38} {row['note']}")


def _num(value, spec: str) -> str:
    return "" if value is None else format(value, spec)
