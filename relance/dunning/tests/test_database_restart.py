"""The database restarted during a daily run (issue 8, faults): `relance run` fails, nothing
of the run is left in the database, and running it again gives exactly the state an
uninterrupted run gives.

PostgreSQL only (SQLite has no server to restart). The test starts its own throwaway
cluster (tests.pg.Cluster), builds a company there with the command line (migrate, company,
an import of 6,000 invoices due around the run date, the default scenarios), copies that
database as the reference, then:
- holds a SHARE lock on the reminder history table, so the run blocks once it has written
  its run record, reminders and their items (uncommitted), on its first history row;
- restarts the server (pg_ctl restart -m fast) while the run waits there;
- checks the run's exit status, that no run record, reminder or exclusion is left, then
  runs again; the reference database gets one uninterrupted run; both must hold the same
  reminders (customer, step, channel, amounts, invoices and their levels) and exclusions.
"""

import json
import subprocess
import time
from datetime import date, timedelta

import psycopg
import pytest
from django.db import connection

from tests import processes
from tests.pg import Cluster, PostgresUnavailable

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="restarts a PostgreSQL server: runs in the PostgreSQL pass of make test",
)
RUN_ON = date(2026, 11, 23)
INVOICES, CUSTOMERS = 6_000, 800
HISTORY = "dunning_reminderevent"  # written after the reminders and their items


@pytest.fixture(scope="module")
def cluster():
    try:
        with Cluster(database="postgres") as started:
            yield started
    except PostgresUnavailable as error:
        pytest.fail(f"a second PostgreSQL server could not be started: {error}")


def url(cluster: Cluster, database: str) -> str:
    return cluster.url.rsplit("/", 1)[0] + f"/{database}"


def relance(cluster: Cluster, database: str, *args: str) -> subprocess.CompletedProcess:
    result = processes.run(*args, env=processes.child_env(url(cluster, database)))
    assert result.returncode == 0, result.stderr
    return result


def build_company(cluster: Cluster, tmp_path) -> None:
    with psycopg.connect(url(cluster, "postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE interrupted")
    path = tmp_path / "factures.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write("Code client;Client;N° facture;Date facture;Échéance;Montant TTC\n")
        for n in range(INVOICES):
            due_on = RUN_ON - timedelta(days=n % 120 - 10)
            issued_on, code = due_on - timedelta(30), f"C{n % CUSTOMERS:05}"
            out.write(f"{code};Client {code};F{n:06};{issued_on:%d/%m/%Y};{due_on:%d/%m/%Y};"
                      f"{n % 900 + 50},00\n")  # fmt: skip
    relance(cluster, "interrupted", "migrate", "--verbosity", "0")
    relance(cluster, "interrupted", "company", "create", "--code", "RST", "--name", "Restart SAS")
    relance(cluster, "interrupted", "import", "invoices", str(path), "--company", "RST")
    relance(cluster, "interrupted", "scenarios", "seed", "--company", "RST")
    with psycopg.connect(url(cluster, "postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE reference TEMPLATE interrupted")


def run_args() -> tuple[str, ...]:
    return ("run", "--company", "RST", "--date", RUN_ON.isoformat(), "--format", "json")


def wait_for_lock_wait(monitor: psycopg.Connection, child: subprocess.Popen) -> None:
    """Until the run waits for a lock on the history table (its rows go in by COPY)."""
    deadline = time.monotonic() + 300
    while True:
        waiting = monitor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
            (HISTORY,),
        ).fetchone()[0]
        if waiting:
            return
        assert child.poll() is None, f"the run ended before the restart: {child.communicate()}"
        assert time.monotonic() < deadline, "the run never reached its history rows"
        time.sleep(0.05)


def restart(cluster: Cluster) -> None:
    """pg_ctl restart -m fast: every session is cut off, open transactions are rolled back."""
    command = Cluster._command(
        "pg_ctl", "-D", str(cluster.data_dir), "-l", str(cluster.log_file), "-m", "fast", "-w",
        "-t", "60", "restart",
    )  # fmt: skip
    subprocess.run(command, cwd=cluster.root, check=True, capture_output=True, timeout=120)


def state(cluster: Cluster, database: str) -> dict:
    """What a run leaves: its record, reminders with their items, exclusions."""
    with psycopg.connect(url(cluster, database)) as db:
        runs = db.execute("SELECT run_on, reminders, excluded FROM dunning_dunningrun").fetchall()
        reminders = db.execute(
            "SELECT c.code, r.level, r.step_name, r.channel, r.status, r.amount, r.currency, "
            "string_agg(i.number || ':' || coalesce(ri.moved_to_level, 0), ',' "
            "ORDER BY i.number) "
            "FROM dunning_reminder r JOIN ledger_customer c ON c.id = r.customer_id "
            "JOIN dunning_reminderitem ri ON ri.reminder_id = r.id "
            "JOIN ledger_invoice i ON i.id = ri.invoice_id "
            "GROUP BY r.id, c.code ORDER BY c.code, r.level, r.currency"
        ).fetchall()
        exclusions = db.execute(
            "SELECT c.code, coalesce(i.number, ''), e.reason FROM dunning_exclusion e "
            "JOIN ledger_customer c ON c.id = e.customer_id "
            "LEFT JOIN ledger_invoice i ON i.id = e.invoice_id ORDER BY 1, 2, 3"
        ).fetchall()
        events = db.execute(f"SELECT count(*) FROM {HISTORY}").fetchone()[0]
    return {"runs": runs, "reminders": reminders, "exclusions": exclusions, "events": events}


def test_a_run_cut_off_by_a_database_restart_leaves_nothing_and_a_rerun_completes_it(
    cluster, tmp_path
):
    build_company(cluster, tmp_path)
    before = state(cluster, "interrupted")
    assert before == {"runs": [], "reminders": [], "exclusions": [], "events": 0}

    holder = psycopg.connect(url(cluster, "interrupted"))
    holder.execute(f"LOCK TABLE {HISTORY} IN SHARE MODE")  # until the restart ends it
    monitor = psycopg.connect(url(cluster, "interrupted"), autocommit=True)
    child = processes.start(*run_args(), env=processes.child_env(url(cluster, "interrupted")))
    try:
        wait_for_lock_wait(monitor, child)
        restart(cluster)
        _, stderr = child.communicate(timeout=120)
    finally:
        for open_connection in (holder, monitor):
            open_connection.close()
        if child.poll() is None:
            child.kill()
    assert child.returncode == 75, stderr  # EX_TEMPFAIL: the same command may succeed later
    assert stderr.startswith("relance run : erreur de la base de données : "), stderr
    assert "Traceback" not in stderr  # the connection was lost, said as such, in French

    assert state(cluster, "interrupted") == before, "the interrupted run left part of itself"
    rerun = json.loads(relance(cluster, "interrupted", *run_args()).stdout)
    assert not rerun["already_done"] and rerun["reminders"]

    relance(cluster, "reference", *run_args())
    assert state(cluster, "interrupted") == state(cluster, "reference")
