"""python -m bench [--size large|small] [--db sqlite|postgres]: measure imports against the
bare baseline of reading the same file and inserting as many rows. See docs/performance.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
TARGET_RATE = 100_000  # lines per second, end to end (DESIGN.md, performance targets)
TARGET_RATIO = 2.0  # at most twice the bare read + insert of the same file


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=("small", "large"), default="large")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--matching-only", action="store_true", help="only payment matching (no database)"
    )
    parser.add_argument(
        "--matching-db", action="store_true", help="only run_matching through the database"
    )
    parser.add_argument(
        "--ledger-only",
        action="store_true",
        help="only the imports and the daily dunning run (no matching, no dashboard)",
    )
    parser.add_argument(
        "--dashboard-only", action="store_true", help="only the dashboard's latency (a server)"
    )
    parser.add_argument(
        "--forecast-only", action="store_true", help="only the payment-date backtest (no database)"
    )
    parser.add_argument(
        "--sending-only",
        action="store_true",
        help="only sending reminder e-mails to a local SMTP server (its own database)",
    )
    parser.add_argument(
        "--emails", type=int, default=10_000, help="e-mails sent by the sending step"
    )
    args = parser.parse_args()
    if args.forecast_only:
        return _forecast_only()
    if args.matching_only:
        from .matching import run as run_matching

        run_matching(args.seed)
        return 0
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    if args.db == "postgres":
        return _on_postgres(args)
    if args.dashboard_only:
        return _dashboard_only(args)
    if args.sending_only:
        return _sending_only(args)
    name = "matching" if args.matching_db else args.size
    database = BENCH_VAR / f"bench-{name}.sqlite3"
    for leftover in BENCH_VAR.glob(f"{database.name}*"):
        leftover.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    return _bench(args)


def _dashboard_only(args: argparse.Namespace) -> int:
    """The dashboard step alone: its own databases and server, its own results file."""
    from .dashboard import databases
    from .dashboard import run as run_dashboard

    result = run_dashboard(args.size, databases(args.db, args.size, BENCH_VAR), args.seed)
    return _save(result, f"{args.size}-{args.db}-dashboard")


def _sending_only(args: argparse.Namespace) -> int:
    """The sending step alone: its own database, SMTP server and results file."""
    return _save({"sending": _sending(args)}, f"{args.db}-sending")


def _sending(args: argparse.Namespace) -> dict:
    """`args.emails` reminder e-mails sent, in a fresh database of their own."""
    from .dashboard import databases
    from .sending import run as run_sending

    return run_sending(args.emails, databases(args.db, str(args.emails), BENCH_VAR)("sending"))


def _on_postgres(args: argparse.Namespace) -> int:
    """A throwaway cluster (tests/pg.py: durability off, so figures flatter PostgreSQL)."""
    from tests.pg import Cluster

    with Cluster(database="postgres") as cluster:
        os.environ["DATABASE_URL"] = cluster.url
        return _bench(args)


def _bench(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    import django

    django.setup()
    if args.dashboard_only:
        return _dashboard_only(args)
    if args.sending_only:
        return _sending_only(args)
    if args.matching_db:
        from .matching_db import run as run_matching_db

        run_matching_db(args.seed)
        return 0
    from .run import run

    result = run(args.size, args.db, args.seed, BENCH_VAR)
    if args.ledger_only:
        return _write(result, args, "-ledger")
    result["sending"] = _sending(args)
    from .matching import run as run_matching

    result["matching"] = run_matching(args.seed)
    from .matching_db import run as run_matching_db

    result["matching_db"] = run_matching_db(args.seed)
    from .dashboard import databases
    from .dashboard import run as run_dashboard

    result["dashboard"] = run_dashboard(
        args.size, databases(args.db, args.size, BENCH_VAR), args.seed
    )
    from tests import SHARED_DATA

    from .forecast import run as run_forecast

    result["forecast"] = run_forecast(SHARED_DATA)
    return _write(result, args)


def _forecast_only() -> int:
    """The payment-date backtest alone (generated and FEC histories, no database)."""
    from tests import SHARED_DATA

    from .forecast import run as run_forecast

    return _save({"forecast": run_forecast(SHARED_DATA)}, "forecast")


def _write(result: dict, args: argparse.Namespace, suffix: str = "") -> int:
    return _save(result, f"{args.size}-{args.db}{suffix}")


def _save(result: dict, name: str) -> int:
    """bench/results/<today>-<name>.json, with the machine it ran on."""
    result["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{date.today().isoformat()}-{name}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
