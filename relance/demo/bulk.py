"""Bulk writing of generated rows: one `executemany` per table and batch.

The ORM's bulk_create costs a model instance per row; at a million invoices the plain
executemany is several times faster. Columns come from the model's _meta, and every column
a row does not carry gets the field's default, so the rows stay valid as models evolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

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
    (Customer, CustomerRow), (Contact, ContactRow), (Invoice, InvoiceRow),
    (Payment, PaymentRow), (Allocation, AllocationRow),
)


class BulkTable:
    """INSERT of rows whose fields are model attribute names; other columns get defaults."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], constants: dict) -> None:
        concrete = model._meta.concrete_fields
        by_name = {f.attname: f for f in concrete}
        others = [f for f in concrete if f.attname not in fields]
        self.tail = tuple(_default(f, constants) for f in others)
        columns = [by_name[name].column for name in fields] + [f.column for f in others]
        quote = connection.ops.quote_name
        self.sql = (f"INSERT INTO {quote(model._meta.db_table)} "
                    f"({', '.join(quote(c) for c in columns)}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))})")

    def write(self, rows: Iterable[tuple]) -> None:
        tail = self.tail
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, [row + tail for row in rows])


def _default(field: models.Field, constants: dict):
    if field.attname in constants:
        return constants[field.attname]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return constants["now"]
    return field.get_db_prep_save(field.get_default(), connection)


class PortfolioWriter:
    """Buffers the generated blocks and writes them table by table every BATCH_SIZE rows.

    Each flush is atomic; outside a transaction it commits, so that the database's journal
    stays small at a million rows; inside one (the demo) it is a savepoint."""

    def __init__(self, company_id: int) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        constants = {"company_id": company_id, "now": now}
        self.tables = [BulkTable(model, row._fields, constants) for model, row in TABLES]
        self.buffers: list[list[tuple]] = [[] for _ in TABLES]
        self.counts = dict.fromkeys(("customers", "contacts", "invoices", "payments",
                                     "allocations"), 0)

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
    return FirstIds(*((model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
                      for model, _ in TABLES))


def reset_sequences() -> None:
    """After explicit primary keys, PostgreSQL's sequences must move past them (SQLite's
    AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model for model, _ in TABLES])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
