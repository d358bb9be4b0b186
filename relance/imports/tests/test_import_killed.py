"""An import killed halfway (issue 8, faults): `relance import` of a large generated CSV,
killed with SIGKILL while it writes, leaves nothing of the file in the ledger, only its
ImportBatch saying "running"; the next import of the company, once that batch is an hour old,
marks it interrupted; importing the file again records all of it, exactly once; a third time
changes nothing.

"While it writes": the kill waits until the import's transaction has written: on PostgreSQL
it holds its lock on the invoice table, on SQLite it holds the database's write lock (another
connection cannot begin a write transaction). Waiting a fixed time instead was flaky: on a
quiet machine the import of the whole file had committed before the kill. Either way the
process must still be running when it is killed (its exit status is -9), or the test fails
rather than proving nothing.

Runs on SQLite (the test database is a file) and on PostgreSQL.
"""

import json
import signal
import sqlite3
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from relance.imports import services
from relance.imports.models import ImportBatch
from relance.ledger import services as ledger
from tests import processes

pytestmark = pytest.mark.django_db(transaction=True)
LINES = 60_000
CUSTOMERS = 3_000
HEADER = "Code client;Client;N° facture;Date facture;Échéance;Montant TTC;Payé le\n"


def write_invoices(path):
    """LINES invoices of CUSTOMERS customers, one in three paid (a payment and a lettering
    each); customers first appear after line 2,000 too, beyond a lookup chunk."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for n in range(LINES):
            paid = "10/02/2024" if n % 3 == 0 else ""
            cents = (n * 7919) % 10_000_000
            out.write(
                f"C{n % CUSTOMERS:05};Client {n % CUSTOMERS};F{n:07};15/01/2024;14/02/2024;"
                f"{cents // 100 + 1},{cents % 100:02};{paid}\n"
            )
    return path


def ledger_rows():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("ledger").get_models()
    }


def wait_until(predicate, child, timeout=120):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert child.poll() is None, f"the import ended before the kill: {child.communicate()}"
        assert time.monotonic() < deadline, "the import did not start"
        time.sleep(0.02)


def inserting_invoices() -> bool:
    """Another backend's transaction holds a lock on ledger_invoice: it has written to it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'ledger_invoice' AND l.mode = 'RowExclusiveLock' "
            "AND l.pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def writing_sqlite() -> bool:
    """Another connection holds the SQLite database's write lock: its transaction has
    written (a write transaction cannot begin beside it)."""
    probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # database is locked
        return True
    finally:
        probe.close()  # rolls back the probe's own empty transaction, if it began one
    return False


def kill_while_writing(child):
    batches = ImportBatch.objects.filter(kind="invoices")
    wait_until(batches.exists, child)
    wait_until(inserting_invoices if connection.vendor == "postgresql" else writing_sqlite, child)
    assert child.poll() is None, f"the import ended before the kill: {child.communicate()}"
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL


def test_an_import_killed_halfway_leaves_nothing_and_a_second_import_records_it_once(tmp_path):
    company = ledger.create_company("KILL", "Import Interrompu SAS")
    path = write_invoices(tmp_path / "factures.csv")
    before = ledger_rows()
    args = ("import", "invoices", str(path), "--company", company.code, "--format", "json")

    kill_while_writing(processes.start(*args))

    assert ledger_rows() == before, "an interrupted import left part of its file"
    killed = ImportBatch.objects.get()
    assert killed.status == ImportBatch.Status.RUNNING and killed.counts == {}

    # An hour later, the next import says what happened to it, then records everything.
    ImportBatch.objects.filter(pk=killed.pk).update(started_at=timezone.now() - timedelta(hours=2))
    again = processes.run(*args)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    paid = len(range(0, LINES, 3))
    assert report["created"] == {
        "customers": CUSTOMERS,
        "invoices": LINES,
        "payments": paid,
        "allocations": paid,
    }
    assert report["rejected"] == []
    rows = ledger_rows()
    assert rows["ledger.Invoice"] - before["ledger.Invoice"] == LINES
    assert rows["ledger.Customer"] - before["ledger.Customer"] == CUSTOMERS
    killed.refresh_from_db()
    assert (killed.status, killed.error) == (ImportBatch.Status.FAILED, services.INTERRUPTED)

    third = json.loads(processes.run(*args).stdout)
    assert third["created"] == {} and third["unchanged"]["invoices"] == LINES
    assert ledger_rows() == rows


def test_only_imports_running_for_over_an_hour_count_as_interrupted():
    company = ledger.create_company("LATE", "Imports SAS")
    now = timezone.now()
    started = {
        "recent": now - timedelta(minutes=50),
        "old": now - timedelta(minutes=70),
        "old but done": now - timedelta(hours=3),
    }
    for name, at in started.items():
        status = ImportBatch.Status.DONE if "done" in name else ImportBatch.Status.RUNNING
        batch = ImportBatch.objects.create(company=company, kind="fec", file_name=name,
                                           status=status)  # fmt: skip
        ImportBatch.objects.filter(pk=batch.pk).update(started_at=at)
    assert services.fail_interrupted(company, now) == 1
    statuses = dict(ImportBatch.objects.values_list("file_name", "status"))
    assert statuses == {"recent": "running", "old": "failed", "old but done": "done"}


def test_paid_invoices_of_customers_first_named_beyond_a_lookup_chunk_are_not_rejected(tmp_path):
    # The payment an invoice's "Payé le" brings had no customer name; payments and invoices
    # were looked up by the same index ranges, so a payment whose invoice (and customer) came
    # after the first 2,000 of a chunk was reported "client inconnu", yet imported.
    company = ledger.create_company("PAID", "Payé SAS")
    path = tmp_path / "payees.csv"
    paid = {n: "10/02/2024" if n % 3 == 0 else "" for n in range(4500)}
    rows = [f"C{n};Client {n};F{n};15/01/2024;14/02/2024;100,00;{paid[n]}\n" for n in paid]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    report = services.import_file(company, "invoices", path)
    assert report.rejected == []
    assert report.created == {"customers": 4500, "invoices": 4500, "payments": 1500,
                              "allocations": 1500}  # fmt: skip
