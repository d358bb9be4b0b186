"""Planner statistics after bulk loads (relance.ledger.bulk.refresh_statistics): PostgreSQL
takes a table of a million rows it never analysed for an empty one, and reads a day's
candidates by scanning every open item. An import or a dunning run that wrote many rows
refreshes them (ANALYZE); SQLite plans from its indexes alone."""

import pytest
from django.db import connection

from relance.imports.services import import_file
from relance.imports.tests.test_readers import acceptance_file
from relance.ledger import bulk
from relance.ledger import services as ledger

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL statistics: the PostgreSQL pass"
)


def estimated_rows(table: str) -> float:
    """What the planner believes the table holds (-1: never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def test_a_small_load_or_sqlite_leaves_the_statistics_alone():
    assert bulk.refresh_statistics({"ledger_invoice": bulk.ANALYZE_AFTER_ROWS - 1}) == []
    if connection.vendor == "sqlite":
        assert bulk.refresh_statistics({"ledger_invoice": 10 * bulk.ANALYZE_AFTER_ROWS}) == []


@on_postgresql
def test_a_large_import_refreshes_the_statistics_of_the_ledger(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "ANALYZE_AFTER_ROWS", 500)  # the file has 990 good lines
    company = ledger.create_company("STA", "Statistiques SAS")
    path, _rejected = acceptance_file(tmp_path)
    report = import_file(company, "invoices", path)
    assert report.created["invoices"] == 990
    assert estimated_rows("ledger_invoice") == 990
    assert estimated_rows("ledger_customer") == report.created["customers"]
    # Then a table is refreshed again only when as many rows as a tenth of it were written.
    monkeypatch.setattr(bulk, "ANALYZE_AFTER_ROWS", 1)
    assert bulk.refresh_statistics({"ledger_invoice": 98}) == []
    assert bulk.refresh_statistics({"ledger_invoice": 99}) == ["ledger_invoice"]


@on_postgresql
@pytest.mark.django_db(transaction=True)  # outside a transaction, VACUUM can run
def test_outside_a_transaction_the_dead_rows_are_vacuumed_too(monkeypatch):
    monkeypatch.setattr(bulk, "ANALYZE_AFTER_ROWS", 1)
    ledger.create_company("STD", "Statistiques SAS")
    assert not connection.in_atomic_block
    assert bulk.refresh_statistics({"ledger_company": 1}) == ["ledger_company"]


@on_postgresql
def test_a_small_import_leaves_them_to_the_autovacuum(tmp_path):
    company = ledger.create_company("STB", "Statistiques SAS")
    path = tmp_path / "factures.csv"
    lines = [f"C{n};Client {n};F{n:03};01/10/2026;31/10/2026;100,00" for n in range(7)]
    path.write_text(
        "Code client;Client;N° facture;Date facture;Échéance;Montant TTC\n" + "\n".join(lines),
        encoding="utf-8",
    )
    assert import_file(company, "invoices", path).created["invoices"] == 7
    # Not analysed with them: the planner does not believe in these 7 (the autovacuum daemon
    # sees only what is committed, and ANALYZE's estimate survives a rolled-back test).
    assert estimated_rows("ledger_invoice") != 7


@on_postgresql
def test_a_large_dunning_run_refreshes_the_statistics_of_the_outbox(tmp_path, monkeypatch):
    from datetime import date

    from relance.dunning.models import Reminder, ReminderItem
    from relance.dunning.services import run_dunning, seed_default_scenarios

    company = ledger.create_company("STC", "Statistiques SAS")
    path = tmp_path / "factures.csv"
    lines = [f"C{n};Client {n};F{n:03};01/09/2026;30/09/2026;100,00" for n in range(5)]
    path.write_text(
        "Code client;Client;N° facture;Date facture;Échéance;Montant TTC\n" + "\n".join(lines),
        encoding="utf-8",
    )
    import_file(company, "invoices", path)
    seed_default_scenarios(company)
    monkeypatch.setattr(bulk, "ANALYZE_AFTER_ROWS", 5)  # 5 reminders listing 5 items
    assert len(run_dunning(company, date(2026, 11, 23)).reminders) == 5
    assert estimated_rows("dunning_reminder") == Reminder.objects.count() == 5
    assert estimated_rows("dunning_reminderitem") == ReminderItem.objects.count()
