"""Bulk writing of generated rows through relance.ledger.bulk, table by table."""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from relance.ledger.bulk import BulkTable
from relance.ledger.models import Allocation, Contact, Customer, Invoice, Payment

from .generator import (
    AllocationRow,
    Block,
    ContactRow,
    CustomerRow,
    FirstIds,
    InvoiceRow,
    PaymentRow,
)

BATCH_SIZE = 5_000
# Parents before children, so that each flush leaves the foreign keys satisfied.
TABLES: tuple[tuple[type[models.Model], type[tuple]], ...] = (
    (Customer, CustomerRow),
    (Contact, ContactRow),
    (Invoice, InvoiceRow),
    (Payment, PaymentRow),
    (Allocation, AllocationRow),
)


class PortfolioWriter:
    """Buffers the generated blocks and writes them table by table every BATCH_SIZE rows.

    Each flush is atomic; outside a transaction it commits, so that the database's journal
    stays small at a million rows; inside one (the demo) it is a savepoint."""

    def __init__(self, company_id: int) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        constants = {"company_id": company_id, "now": now}
        self.tables = [BulkTable(model, row._fields, constants) for model, row in TABLES]
        self.buffers: list[list[tuple]] = [[] for _ in TABLES]
        self.counts = dict.fromkeys(
            ("customers", "contacts", "invoices", "payments", "allocations"), 0
        )

    def add(self, block: Block) -> None:
        parts = (block.contacts, block.invoices, block.payments, block.allocations)
        self.buffers[0].append(block.customer)
        for buffer, rows in zip(self.buffers[1:], parts, strict=True):
            buffer.extend(rows)
        if max(len(buffer) for buffer in self.buffers) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        with transaction.atomic():
            for table, buffer, name in zip(self.tables, self.buffers, self.counts, strict=True):
                if buffer:
                    table.write(buffer)
                    self.counts[name] += len(buffer)
                    buffer.clear()


def next_ids() -> FirstIds:
    """The first free primary key of each ledger table (no other writer runs meanwhile)."""
    return FirstIds(
        *((model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for model, _ in TABLES)
    )


def reset_sequences() -> None:
    """After explicit primary keys, PostgreSQL's sequences must move past them (SQLite's
    AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model for model, _ in TABLES])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
