"""What the benchmark measures, one function per step; each returns the lines it handled.

Steps run in a forked child (see `measure`) so that the peak memory of each one is its own.
"""

from __future__ import annotations

import csv
import multiprocessing
import resource
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

from django.db import connection, connections, transaction

BATCH = 10_000


def measure(step: Callable[..., int | dict], *args) -> dict:
    """Run `step(*args)` in a forked process: lines, seconds, and peak resident memory (MB)."""
    connections.close_all()  # a forked child must not share the parent's database connection
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_timed, (step, *args))


def _timed(step: Callable[..., int | dict], *args) -> dict:
    # A step may set up, off the clock, what a long-running process already has (`prepare`).
    prepare = getattr(step, "prepare", None)
    prepared = prepare(*args) if prepare else {}
    started = time.perf_counter()
    try:
        result = step(*args)
    except Exception as error:  # a failing step is reported in the table, not fatal
        result = {"lines": 0, "note": f"failed: {type(error).__name__}: {error}"[:300]}
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    connections.close_all()
    if not isinstance(result, dict):
        result = {"lines": result}
    return {"seconds": seconds, "peak_mb": round(peak_mb, 1), "note": "", **prepared, **result}


def _reader(path: Path, delimiter: str):
    handle = path.open(encoding="utf-8", newline="")
    rows = csv.reader(handle, delimiter=delimiter)
    next(rows)  # header
    return handle, rows


def csv_read(path: Path, delimiter: str) -> int:
    """Baseline: read every line with the csv module, nothing else."""
    handle, rows = _reader(path, delimiter)
    with handle:
        return sum(1 for _ in rows)


def bare_insert(path: Path, delimiter: str) -> int:
    """Baseline: read with csv and insert every line as is into a scratch table of TEXT
    columns in one transaction: COPY on PostgreSQL (its fastest path, the one the import
    uses), executemany in batches on SQLite."""
    handle, rows = _reader(path, delimiter)
    with handle:
        columns = len(
            next(csv.reader([path.open(encoding="utf-8").readline()], delimiter=delimiter))
        )
        names = ", ".join(f"c{n} TEXT" for n in range(columns))
        sql = f"INSERT INTO bench_scratch VALUES ({', '.join(['%s'] * columns)})"
        count = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_scratch")
            cursor.execute(f"CREATE TABLE bench_scratch ({names})")
            if connection.vendor == "postgresql":
                with cursor.cursor.copy("COPY bench_scratch FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            while batch := list(islice(rows, BATCH)):
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


def real_import(company_code: str, kind: str, path: Path, lines: int) -> dict:
    """The product: relance.imports.services.import_file, end to end into the ledger."""
    from relance.imports.services import import_file
    from relance.ledger.models import Company

    report = import_file(Company.objects.get(code=company_code), kind, path, user=None)
    created = ", ".join(f"{n} {name}" for name, n in report.as_json()["created"].items())
    return {
        "lines": lines,
        "note": f"created {created or 'nothing'}; {len(report.rejected)} rejected",
    }


def import_available() -> str:
    """Empty when the import service can be called, otherwise why not."""
    try:
        from relance.imports.services import import_file  # noqa: F401
    except ImportError as error:
        return f"not available: relance.imports.services.import_file ({error})"
    return ""


def seed_scenarios(company_code: str) -> None:
    from relance.dunning.services import seed_default_scenarios
    from relance.ledger.models import Company

    seed_default_scenarios(Company.objects.get(code=company_code))


def read_open_items(company_code: str) -> int:
    """Baseline: the open items the run needs, read with one bare SQL query."""
    from relance.ledger.models import Company

    company = Company.objects.get(code=company_code)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, customer_id, number, currency, issued_on, due_on, open_amount, "
            "is_credit, is_disputed, scenario_id FROM ledger_invoice "
            "WHERE company_id = %s AND open_amount > 0",
            [company.pk],
        )
        return len(cursor.fetchall())


# The rows a run wrote, read off the clock by `bare_write`'s prepare (in the forked child).
_WRITTEN: dict[str, tuple[list[str], list[tuple]]] = {}
RUN_TABLES = {  # table -> how its rows of one run are found (%s: the company, the run's date)
    "dunning_reminder": "run_id IN (SELECT id FROM dunning_dunningrun "
    "WHERE company_id = %s AND run_on = %s)",
    "dunning_reminderitem": "reminder_id IN (SELECT r.id FROM dunning_reminder r "
    "JOIN dunning_dunningrun u ON u.id = r.run_id WHERE u.company_id = %s AND u.run_on = %s)",
    "dunning_reminderevent": "reminder_id IN (SELECT r.id FROM dunning_reminder r "
    "JOIN dunning_dunningrun u ON u.id = r.run_id WHERE u.company_id = %s AND u.run_on = %s)",
    "dunning_exclusion": "run_id IN (SELECT id FROM dunning_dunningrun "
    "WHERE company_id = %s AND run_on = %s)",
}


def bare_write(company_code: str, run_on) -> int:
    """Baseline for a run's writes: the rows the run of `run_on` wrote (its reminders, their
    items and events, its exclusions; read right after the run) inserted again as they are
    into scratch copies of their tables, with no index nor constraint, in one transaction:
    COPY on PostgreSQL, executemany in batches on SQLite. A run that writes many reminders is
    then compared with this plus the bare read."""
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, rows) in _WRITTEN.items():
            scratch = f"bench_{table}"
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            cursor.execute(f"CREATE TABLE {scratch} AS SELECT * FROM {table} WHERE 1 = 0")
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {scratch} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                for start in range(0, len(rows), BATCH):
                    cursor.executemany(
                        f"INSERT INTO {scratch} VALUES ({marks})", rows[start : start + BATCH]
                    )
            count += len(rows)
        for table in _WRITTEN:
            cursor.execute(f"DROP TABLE bench_{table}")
    return count


def _read_written(company_code: str, run_on) -> dict:
    from relance.ledger.models import Company

    company = Company.objects.get(code=company_code)
    with connection.cursor() as cursor:
        for table, where in RUN_TABLES.items():
            cursor.execute(f"SELECT * FROM {table} WHERE {where}", [company.pk, run_on])
            columns = [column[0] for column in cursor.description]
            _WRITTEN[table] = (columns, cursor.fetchall())
    return {}


bare_write.prepare = _read_written  # type: ignore[attr-defined]


def dunning_run(company_code: str, today) -> dict:
    """The product: relance.dunning.services.run_dunning, reading, planning and writing."""
    from relance.dunning.services import run_dunning
    from relance.ledger.models import Company

    result = run_dunning(Company.objects.get(code=company_code), today)
    return {"note": f"{len(result.reminders)} reminders, {len(result.plan.excluded)} exclusions"}


def _warm_dunning(company_code: str, today) -> dict:
    """What the worker that runs the dunning every day already has: the modules imported and
    the year's public holidays loaded. Also counts the open items (off the clock)."""
    from relance.dunning import render  # noqa: F401  (the run renders what waits for approval)
    from relance.dunning.services import CALENDARS
    from relance.ledger.models import Company, Invoice
    from relance.plans import services as plans  # noqa: F401  (imported by the run when needed)

    company = Company.objects.get(code=company_code)
    CALENDARS[company.alsace_moselle].is_business_day(today)
    return {"lines": Invoice.objects.filter(company=company, open_amount__positive=True).count()}


dunning_run.prepare = _warm_dunning  # type: ignore[attr-defined]
