"""Bulk writing of ledger rows: one `executemany` per table and batch.

The ORM's bulk_create builds a model instance and compiles a multi-row statement per batch;
at a hundred thousand rows a plain `executemany` of one prepared INSERT is several times
faster. Columns come from the model's _meta, and every column a row does not carry gets the
field's default (or the database's, for a field with `db_default`), so the rows stay valid as
the models evolve.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from django.db import connection, models
from django.utils import timezone


class BulkTable:
    """INSERT of rows whose fields are model attribute names; other columns get defaults
    (or the value given in `constants`, e.g. `company_id`)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], constants: dict) -> None:
        constants = {"now": connection.ops.adapt_datetimefield_value(timezone.now()), **constants}
        concrete = model._meta.concrete_fields
        by_name = {f.attname: f for f in concrete}
        # A primary key the rows do not give is left to the database (sequence, rowid), and so
        # is a column with a database default.
        others = [
            f
            for f in concrete
            if f.attname not in fields and not f.primary_key and f.db_default is models.NOT_PROVIDED
        ]
        self.tail = tuple(_default(f, constants) for f in others)
        columns = [by_name[name].column for name in fields] + [f.column for f in others]
        quote = connection.ops.quote_name
        table = f"{quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
        self.sql = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(columns))})"
        self.copy_sql = f"COPY {table} FROM STDIN"

    def write(self, rows: Iterable[tuple]) -> None:
        """Insert the rows: COPY on PostgreSQL (several times faster than INSERTs there),
        one prepared INSERT run by executemany on SQLite."""
        tail = self.tail
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row + tail)
            else:
                cursor.executemany(self.sql, [row + tail for row in rows])


def _default(field: models.Field, constants: dict):
    if field.attname in constants:
        return constants[field.attname]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return constants["now"]
    return field.get_db_prep_save(field.get_default(), connection)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` new rows, to be inserted explicitly by the caller.

    PostgreSQL hands them out of the table's sequence, so concurrent writers never collide.
    SQLite has one writer at a time (transactions are IMMEDIATE), so the keys after the
    current maximum are free until this transaction ends."""
    if count <= 0:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{model._meta.db_table}', 'id'))"
                " FROM generate_series(1, %s)",
                [count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def lookup(
    model: type[models.Model], column: str, values: Sequence[str], company_id: int
) -> list[tuple[str, int]]:
    """(value, id) of the company's rows of `model` whose `column` is among `values`.

    Plain SQL: on the import path the ORM spends more time building a 2,000-value IN clause
    than the database spends answering it."""
    if not values:
        return []
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote(column)}, id FROM {quote(model._meta.db_table)} "
        f"WHERE company_id = %s AND {quote(column)} IN ({', '.join(['%s'] * len(values))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [company_id, *values])
        return cursor.fetchall()


def insert_ignoring_conflicts(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple], constants: dict
) -> None:
    """INSERT rows like BulkTable, leaving out those a unique constraint already holds (the
    first one wins among rows that collide with each other): one executemany."""
    if not rows:
        return
    table = BulkTable(model, fields, constants)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"{table.sql} ON CONFLICT DO NOTHING", [row + table.tail for row in rows]
        )


def update_by_id(
    model: type[models.Model],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[tuple],
    where: str = "",
) -> int:
    """Set `columns` (column name, PostgreSQL type) of many rows, each row tuple being
    (id, *values); `where` is an extra condition on the table's columns. One statement on
    PostgreSQL (UPDATE ... FROM unnest of one array per column), one executemany on SQLite.
    Returns the number of rows changed."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    condition = f" AND {where}" if where else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{kind}[]" for kind in ("bigint", *(k for _, k in columns)))
            names = ", ".join(f"c{n}" for n in range(len(columns)))
            sets = ", ".join(f"{quote(name)} = v.c{n}" for n, (name, _) in enumerate(columns))
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v(id, {names}) "
                f"WHERE {table}.id = v.id{condition}",
                [list(values) for values in zip(*rows, strict=True)],
            )
        else:
            sets = ", ".join(f"{quote(name)} = %s" for name, _ in columns)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE id = %s{condition}",
                [(*row[1:], row[0]) for row in rows],
            )
        return cursor.rowcount


@contextmanager
def collector_paused() -> Iterator[None]:
    """For the bulk work of an import or a dunning run, which makes millions of small objects
    and no reference cycles: the cyclic garbage collector would walk them all again and again
    (a fifth of a FEC import, a third of a large daily run). It runs again, as before, once
    the work ends or fails. Process-wide: when two such works overlap in threads, the
    collector may come back before the second one ends, which only costs it time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# The ledger tables a large import fills; their planner statistics are refreshed after it.
LEDGER_TABLES = ("ledger_customer", "ledger_invoice", "ledger_payment", "ledger_allocation")
ANALYZE_AFTER_ROWS = 10_000
STALE_SHARE = 0.1  # rows written, as a share of what the planner believes a table holds


def refresh_statistics(written: Mapping[str, int]) -> list[str]:
    """After a bulk load or update (`written`: rows written per table), PostgreSQL's
    VACUUM (ANALYZE) of the tables those rows make stale: at least ANALYZE_AFTER_ROWS rows, and
    the table never analysed or the rows at least STALE_SHARE of what the planner believes it
    holds. As PostgreSQL advises after loading: until the autovacuum daemon gets there, the
    planner takes a table of a million rows for an empty one and reads a day's candidates by
    scanning every open item, and an index walks the dead versions of a million updated rows.
    Inside a transaction (a caller's) VACUUM cannot run: ANALYZE only. Nothing on SQLite (it
    plans these queries from its indexes alone). Returns the tables refreshed."""
    written = {table: rows for table, rows in written.items() if rows >= ANALYZE_AFTER_ROWS}
    if connection.vendor != "postgresql" or not written:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
            [list(written)],
        )
        believed = dict(cursor.fetchall())
        stale = [
            table
            for table, rows in written.items()
            if rows >= STALE_SHARE * max(believed.get(table, -1), 0)
        ]
        if stale:
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            quote = connection.ops.quote_name
            cursor.execute(command + " " + ", ".join(quote(table) for table in stale))
    return stale
