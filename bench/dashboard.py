"""Dashboard latency through a real server, at 10, 30 and 100 % of the workload.

For each share, a child process (`python -m bench.dashboard --database-url ...`) builds its
own database with `relance generate` (the portfolio of relance.demo.generator, as of
2026-03-01), starts gunicorn (the production WSGI server: WORKERS processes, sharing the
figures through a file cache as several processes of one machine would) on a free port, logs a
manager in (a session cookie, as the browser keeps), and measures from this side:

- first: the very first request (nothing cached: the figures are computed inline);
- after a change: the company's ledger version raised, as any import or payment does, then
  one request (it waits at most RELANCE_REPORTS_WAIT for the new figures, else shows the
  latest ones) and the time until the page shows the current figures again (it computes them
  in the background), CHANGES times;
- alone and loaded: wrk (the HTTP load tool, Debian's package), one connection then CLIENTS
  concurrent connections for LOAD_SECONDS each, on the dashboard and on a trivial page (the
  company settings form) of the same server, in the same run. wrk's median and 95th
  percentile of the latency, and its requests per second.

The page is the manager's dashboard of the whole company as of 2026-03-01 (`?as_of=`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-03-01"
GROWTH = (10, 30, 100)  # percent of the workload
CLIENTS = 16
LOAD_SECONDS = 10  # each wrk run
CHANGES = 3
WORKERS = 4  # gunicorn processes: two per core of the bench machine
TARGET = "median < 100 ms"
WRK = "/usr/bin/wrk"
WRK_SCRIPT = Path(__file__).with_name("wrk.lua")


# --- The orchestrator (in the bench process) ---------------------------------------------


def run(size: str, database_url, seed: int) -> dict:
    """Each share of the workload in its own child and database; prints the table.
    `database_url(name)` gives a fresh, empty database for the share."""
    from .workload import SIZES

    customers, invoices = SIZES[size]
    if not Path(WRK).exists():
        note = (
            f"{WRK} is missing: `make bench` installs it (scripts/install-system-packages --bench)"
        )
        print(f"\ndashboard: not measured, {note}")
        return {"rows": [], "note": note}
    rows = []
    for share in GROWTH:
        command = [
            sys.executable, "-m", "bench.dashboard",
            "--database-url", database_url(f"dashboard{share}"),
            "--customers", str(customers * share // 100),
            "--invoices", str(invoices * share // 100),
            "--seed", str(seed),
        ]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            rows.append({"share": share, "note": f"failed: {done.stderr.strip()[-300:]}"})
            continue
        rows.append({"share": share, **json.loads(done.stdout.strip().splitlines()[-1])})
    _print(rows)
    return {"clients": CLIENTS, "load_seconds": LOAD_SECONDS, "workers": WORKERS, "as_of": AS_OF,
            "rows": rows}  # fmt: skip


def databases(db: str, size: str, folder: Path):
    """`database_url(name)` for `run`: a fresh SQLite file in `folder`, or a new database in
    the PostgreSQL cluster of DATABASE_URL (--db postgres)."""
    if db == "postgres":
        base = os.environ["DATABASE_URL"]

        def fresh(name: str) -> str:
            import psycopg

            with psycopg.connect(base, autocommit=True) as cluster:
                cluster.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cluster.execute(f'CREATE DATABASE "{name}"')
            return base.rsplit("/", 1)[0] + "/" + name

        return fresh

    def fresh_file(name: str) -> str:
        path = folder / f"bench-{name}-{size}.sqlite3"
        for leftover in folder.glob(f"{path.name}*"):
            leftover.unlink()
        return f"sqlite:///{path}"

    return fresh_file


def _print(rows: list[dict]) -> None:
    print(f"\ndashboard latency in ms (target: {TARGET}); loaded = {CLIENTS} concurrent clients "
          f"(wrk), gunicorn with {WORKERS} processes")  # fmt: skip
    header = (
        f"{'share':>5} {'invoices':>10} {'open':>8} {'first':>8} {'changed':>8} "
        f"{'current after s':>15} {'alone med':>10} {'loaded med':>11} {'loaded p95':>11} "
        f"{'req/s':>7} {'trivial alone':>14} {'trivial loaded':>15} {'trivial p95':>12} "
        f"{'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        if "note" in row:
            print(f"{row['share']:>4}% {row['note']}")
            continue
        changed, alone, warm = row["changed"], row["alone"], row["warm"]
        trivial, trivial_alone = row["trivial"], row["trivial_alone"]
        print(
            f"{row['share']:>4}% {row['invoices']:>10,} {row['open_items']:>8,} "
            f"{row['first_ms']:>8.0f} {changed['median_ms']:>8.0f} "
            f"{changed['current_after_s']:>15.1f} {alone['median_ms']:>10.1f} "
            f"{warm['median_ms']:>11.1f} {warm['p95_ms']:>11.1f} {warm['per_second']:>7.1f} "
            f"{trivial_alone['median_ms']:>14.1f} {trivial['median_ms']:>15.1f} "
            f"{trivial['p95_ms']:>12.1f} {row['loaded_ratio']:>5.2f}x"
        )
    print("changed: the first answer after a change (median); current after: until the page "
          "shows the new figures; ratio: loaded median / trivial page's loaded median")  # fmt: skip
    _print_dunning(rows)


def _print_dunning(rows: list[dict]) -> None:
    """The daily run at each share: seconds, and the ratio to the same share's bare read."""
    print("\ndaily dunning run by share of the workload (seconds; ratio to the bare read)")
    header = (
        f"{'share':>5} {'open':>8} {'bare read':>10} {'catch-up':>15} {'next day':>15} "
        f"{'week median':>15} {'week slowest':>15}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        if "dunning" not in row:
            continue
        steps = row["dunning"]
        cells = [f"{steps[0]['seconds']:>10.2f}"]
        for step in steps[1:]:
            cells.append(f"{step['seconds']:>6.2f} {step.get('ratio', 0):>6.2f}x ")
        print(f"{row['share']:>4}% {row['open_items']:>8,} " + " ".join(cells))
    print("\nthe days that write many reminders, against the bare read + a bare write of the rows")
    header = f"{'share':>5} {'catch-up':>8} {'rows':>9} {'write s':>8} {'ratio':>7}"
    print(f"{header}  {'slowest':>8} {'rows':>9} {'write s':>8} {'ratio':>7}")
    for row in rows:
        if "dunning" not in row:
            continue
        cells = []
        for step in (row["dunning"][1], row["dunning"][-1]):
            written = step.get("bare_write", {})
            cells.append(
                f"{step['seconds']:>8.2f} {written.get('rows', 0):>9,} "
                f"{written.get('seconds', 0):>8.2f} {step.get('ratio_with_writes') or 0:>6.2f}x"
            )
        print(f"{row['share']:>4}% " + "  ".join(cells))


# --- One share (in its own process) -------------------------------------------------------


def measure_one(customers: int, invoices: int, seed: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    company, built = _build(customers, invoices, seed)
    cookie = _session_cookie(company)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="relance-bench-cache-") as cache_dir:
        server = _start_server(port, cache_dir)
        try:
            _wait_until_up(port)
            dashboard = f"/c/{company.code}/dashboard/?as_of={AS_OF}"
            trivial = f"/c/{company.code}/settings/"
            first = _get(port, dashboard, cookie)[0]
            changed = _changed(port, dashboard, cookie, company)
            alone = _load(port, dashboard, cookie, clients=1)
            warm = _load(port, dashboard, cookie)
            plain_alone = _load(port, trivial, cookie, clients=1)
            plain = _load(port, trivial, cookie)
        finally:
            server.terminate()
            server.wait(timeout=30)
    from datetime import date

    from .run import dunning_steps

    # The daily run's growth on the same database (after the dashboard: its runs change it).
    dunning = dunning_steps(company.code, date.fromisoformat(AS_OF))
    return {"customers": customers, "dunning": dunning, "generate_seconds": built["seconds"],
            **built["counts"],
            "first_ms": round(first * 1000, 1), "changed": changed, "alone": alone,
            "warm": warm, "trivial_alone": plain_alone, "trivial": plain,
            "loaded_ratio": round(warm["median_ms"] / plain["median_ms"], 2)}  # fmt: skip


def _build(customers: int, invoices: int, seed: int):
    from datetime import date

    from django.contrib.auth import get_user_model

    from relance.demo.services import generate_portfolio
    from relance.ledger.models import Invoice
    from relance.ledger.services import create_company
    from relance.team.models import Membership, Role

    company = create_company("DASH", "Tableau de bord SAS")
    # The workload of bench/workload.py: 24 months, 30 % of the invoices open.
    result = generate_portfolio(
        company, customers=customers, invoices=invoices, today=date.fromisoformat(AS_OF),
        seed=seed, months=24, open_share=0.3,
    )  # fmt: skip
    user = get_user_model().objects.create_user("bench-manager")
    Membership.objects.create(user=user, company=company, role=Role.MANAGER)
    open_items = Invoice.objects.filter(company=company, open_amount__gt=0).count()
    counts = {"invoices": result.counts.get("invoices", invoices), "open_items": open_items}
    return company, {"seconds": round(result.seconds, 1), "counts": counts}


def _session_cookie(company) -> str:
    """A logged-in session for the manager, as the login page would create it."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username="bench-manager")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(port: int, cache_dir: str) -> subprocess.Popen:
    env = dict(os.environ, DEBUG="false", ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="ERROR",
               RELANCE_REPORTS_CACHE=f"file:{cache_dir}")  # fmt: skip
    command = [
        sys.executable, "-m", "gunicorn", "relance.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--timeout", "600",
        "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _get(port, "/login/", "")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not answer within {seconds} s")


def _get(port: int, path: str, cookie: str) -> tuple[float, bytes]:
    """One GET: its wall-clock seconds and the page; the answer must be 200."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status}")
    return time.perf_counter() - started, body


RELOADING = b'http-equiv="refresh"'  # the page shows the latest figures, not the current ones


def _changed(port: int, path: str, cookie: str, company) -> dict:
    """CHANGES times: the ledger version raised as relance.reports.cache.bump does after a
    commit, the first answer, then the time until a page shows the current figures (asked
    every half second, as a person reloading would; the page itself reloads every 5 s)."""
    from django.db.models import F

    from relance.reports.models import LedgerVersion

    answers, current = [], []
    for _ in range(CHANGES):
        LedgerVersion.objects.filter(company=company).update(version=F("version") + 1)
        changed = time.perf_counter()
        seconds, body = _get(port, path, cookie)
        answers.append(seconds)
        while RELOADING in body:
            time.sleep(0.5)
            body = _get(port, path, cookie)[1]
        current.append(time.perf_counter() - changed)
    return {**_summary(answers), "current_after_s": round(statistics.median(current), 1)}


def _load(port: int, path: str, cookie: str, clients: int = CLIENTS) -> dict:
    """wrk: `clients` connections for LOAD_SECONDS, after one request that fills the cache."""
    _get(port, path, cookie)
    command = [
        WRK, "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{LOAD_SECONDS}s",
        "--timeout", "30s", "-H", f"Cookie: {cookie}", "-s", str(WRK_SCRIPT),
        f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["errors"]:
        raise RuntimeError(f"wrk: {report['errors']} errors on {path}")
    return {
        "requests": report["requests"],
        "median_ms": report["median_ms"],
        "p95_ms": report["p95_ms"],
        "per_second": round(report["requests"] / report["seconds"], 1),
    }


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "requests": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--invoices", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    print(json.dumps(measure_one(args.customers, args.invoices, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
