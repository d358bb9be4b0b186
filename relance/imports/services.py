"""Imports: a file in, records in the ledger, a report out.

`import_file` is what the CLI calls; the web page previews first (`preview`), then runs
`run_import_batch` in a background thread and polls `progress_of`.

An import runs in one transaction: either every good line is recorded and every bad one
reported, or (a file that cannot be read at all, a crash) nothing is written.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from relance.core import fec, tabular
from relance.core.records import (
    ContactRecord,
    CustomerRecord,
    ItemRecord,
    PaymentRecord,
    Rejection,
)
from relance.ledger.bulk import LEDGER_TABLES, collector_paused, refresh_statistics
from relance.ledger.models import Company, Invoice, Payment
from relance.reports.cache import bump

from . import readers
from .models import ImportBatch, ImportRejection
from .report import ImportFileError, ImportReport
from .store import Ledger, store_contacts, store_customer_contacts, store_customers, store_entries

# Tabular files and the FEC; bank statements and e-invoices have their own services
# (relance.banking.services).
KINDS = ("customers", "contacts", "invoices", "payments", "fec")
CHUNK = 5000
# An import still running this long after it started was interrupted: at 100,000 lines a
# second, an hour is 360 million lines.
INTERRUPTED_AFTER = timedelta(hours=1)
INTERRUPTED = (
    "import interrompu avant la fin (processus arrêté) : rien n'en a été enregistré, "
    "importez de nouveau le fichier"
)

# Progress of the imports running in this process: batch id -> (processed, total lines).
# The batch row itself is only committed at the end (one transaction per import).
_progress: dict[int, tuple[int, int]] = {}
_progress_lock = threading.Lock()


def _set_progress(batch_id: int | None, processed: int, total: int | None = None) -> None:
    if batch_id is not None:
        with _progress_lock:
            if total is None:
                total = _progress.get(batch_id, (0, 0))[1]
            _progress[batch_id] = (processed, total)


def progress_of(batch: ImportBatch) -> tuple[int, int]:
    """(lines processed, lines in the file) of an import, running or finished."""
    with _progress_lock:
        running = _progress.get(batch.pk)
    return running or (batch.processed_lines, batch.total_lines)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


# --- preview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    headers: list[str]
    mapping: dict[str, str]  # field -> source column
    missing: list[str]  # required fields with no column and no default
    rows: list[list[str]]


def preview(kind: str, path: Path, mapping_text: str | None = None, rows: int = 10) -> Preview:
    """The detected (or given) column mapping and the first rows, before importing."""
    if kind == ImportBatch.Kind.FEC:
        with open(path, "rb") as handle:
            lines = list(islice(fec.iter_file_lines(_blocks(handle)), rows + 1))
        if not lines:
            raise ImportFileError("fichier vide")
        try:
            header = fec.read_header(lines[0])
        except fec.FecError as error:
            raise ImportFileError(str(error)) from None
        body = [fec.split_fields(line, header) for line in lines[1:]]
        return Preview(headers=list(header.names), mapping={}, missing=[], rows=body)
    source = readers.read_table(Path(path))
    mapping = _mapping(kind, source.headers, mapping_text)
    return Preview(
        headers=source.headers,
        mapping={
            name: source.headers[index]
            for name, index in mapping.columns.items()
            if index < len(source.headers)
        },
        missing=list(mapping.missing),
        rows=[cells for _, cells in islice(source.rows, rows)],
    )


def _mapping(kind: str, headers: list[str], mapping_text: str | None) -> tabular.Mapping:
    try:
        if mapping_text:
            return tabular.load_mapping(kind, mapping_text, headers)
        return tabular.detect_mapping(kind, headers)
    except tabular.MappingError as error:
        raise ImportFileError(str(error)) from None


# --- import -------------------------------------------------------------------------------


def open_import_batch(
    company: Company, *, kind: str, file_name: str, file_sha256: str, user=None
) -> ImportBatch:
    """The record of an import the web page is about to run in the background."""
    return ImportBatch.objects.create(
        company=company, kind=kind, file_name=file_name, file_sha256=file_sha256, user=user
    )


def import_file(
    company: Company,
    kind: str,
    path: Path | str,
    *,
    user=None,
    mapping_text: str | None = None,
    file_name: str | None = None,
) -> ImportReport:
    """Import one file of `kind` (customers, contacts, invoices, payments, fec) into `company`.

    Raises ImportFileError when the file cannot be read at all; nothing is written then."""
    path = Path(path)
    if kind not in KINDS:
        raise ImportFileError(f"type d'import inconnu : {kind} (attendu : {', '.join(KINDS)})")
    batch = ImportBatch(
        company=company,
        kind=kind,
        file_name=file_name or path.name,
        file_sha256=file_sha256(path),
        user=user,
    )
    return _run(batch, path, mapping_text)


def run_import_batch(
    batch_id: int, path: Path | str, mapping_text: str | None = None
) -> ImportReport | None:
    """Run an import prepared by the web page (an ImportBatch already saved as running).

    Meant for a background thread: a failure ends up on the batch, not raised."""
    batch = ImportBatch.objects.select_related("company").get(pk=batch_id)
    try:
        return _run(batch, Path(path), mapping_text)
    except ImportFileError:
        return None


def fail_interrupted(company: Company, now: datetime | None = None) -> int:
    """Mark failed the imports of `company` still "running" INTERRUPTED_AFTER after they
    started: their process died (killed, machine restarted) and its ledger writes were rolled
    back with it, so nothing of them was recorded. Returns how many."""
    now = now or timezone.now()
    return ImportBatch.objects.filter(
        company=company,
        status=ImportBatch.Status.RUNNING,
        started_at__lt=now - INTERRUPTED_AFTER,
    ).update(status=ImportBatch.Status.FAILED, error=INTERRUPTED, finished_at=now, counts={})


def _run(batch: ImportBatch, path: Path, mapping_text: str | None) -> ImportReport:
    # The batch row is written first, on its own: if the import fails or the process dies,
    # the ledger writes roll back but the attempt stays visible (until the next import of the
    # company says it was interrupted).
    fail_interrupted(batch.company)
    batch.total_lines = max(count_lines(path) - 1, 0)
    batch.status = ImportBatch.Status.RUNNING
    batch.save()
    _set_progress(batch.pk, 0, batch.total_lines)
    try:
        with collector_paused(), transaction.atomic():
            report = ImportReport(batch_id=batch.pk)
            book = Ledger(
                company=batch.company,
                batch_id=batch.pk,
                report=report,
                is_fresh=_is_fresh(batch.company),
            )
            IMPORTERS[batch.kind](book, path, mapping_text)
            _finish(batch, report)
            bump(batch.company)  # once for the whole file: the dashboard reads it anew
        rows = sum(report.created.values()) + sum(report.updated.values())
        refresh_statistics(dict.fromkeys(LEDGER_TABLES, rows))  # a file fills them all
    except ImportFileError as error:
        _fail(batch, str(error))
        raise
    except Exception as error:
        _fail(batch, f"erreur interne : {error!r}")
        raise
    finally:
        with _progress_lock:
            _progress.pop(batch.pk, None)
    return report


def _is_fresh(company: Company) -> bool:
    return not (
        Invoice.objects.filter(company=company).exists()
        or Payment.objects.filter(company=company).exists()
    )


def _finish(batch: ImportBatch, report: ImportReport) -> None:
    ImportRejection.objects.bulk_create(
        [
            ImportRejection(batch=batch, line=r.line, reason=r.reason[:2000])
            for r in sorted(report.rejected, key=lambda r: r.line)
        ],
        batch_size=2000,
    )
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.processed_lines = batch.total_lines
    json = report.as_json()
    batch.counts = {key: json[key] for key in ("created", "updated", "unchanged")}
    batch.save()


def _fail(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED,
        error=message.replace("\x00", "\\x00"),  # PostgreSQL refuses NUL in text
        finished_at=timezone.now(),
        counts={},
    )


def _chunks(iterator: Iterator, size: int = CHUNK) -> Iterator[list]:
    while chunk := list(islice(iterator, size)):
        yield chunk


def _import_table(book: Ledger, path: Path, mapping_text: str | None, kind: str) -> None:
    source = readers.read_table(path)
    mapping = _mapping(kind, source.headers, mapping_text)
    if mapping.missing:
        raise ImportFileError(
            "colonnes obligatoires introuvables : "
            + ", ".join(mapping.missing)
            + f" (colonnes du fichier : {', '.join(source.headers)})"
        )
    rows = tabular.parse_rows(
        kind,
        source.rows,
        mapping,
        currency=book.company.currency,
        payment_days=book.company.default_payment_days,
    )
    processed = 0
    for chunk in _chunks(rows):
        _store_chunk(book, kind, chunk)
        processed = max(processed, chunk[-1].line - 1)
        _set_progress(book.batch_id, processed)


def _store_chunk(book: Ledger, kind: str, chunk: list) -> None:
    records = []
    for record in chunk:
        if isinstance(record, Rejection):
            book.report.rejected.append(record)
        else:
            records.append(record)
    if kind == "customers":
        customers = [r for r in records if isinstance(r, CustomerRecord)]
        store_customers(book, customers)
        store_customer_contacts(book, customers)
    elif kind == "contacts":
        store_contacts(book, [r for r in records if isinstance(r, ContactRecord)])
    else:
        store_entries(
            book,
            [r for r in records if isinstance(r, ItemRecord)],
            [r for r in records if isinstance(r, PaymentRecord)],
            [],
        )


def _blocks(handle) -> Iterator[bytes]:
    return iter(lambda: handle.read(1 << 20), b"")


def _import_fec(book: Ledger, path: Path, mapping_text: str | None) -> None:
    try:
        with open(path, "rb") as handle:
            result = fec.parse(
                fec.iter_file_lines(_blocks(handle)),
                currency=book.company.currency,
                payment_days=book.company.default_payment_days,
            )
    except fec.FecError as error:
        raise ImportFileError(str(error)) from None
    book.report.rejected.extend(result.rejections)
    for start in range(0, len(result.customers), CHUNK):
        store_customers(book, result.customers[start : start + CHUNK])
    store_entries(book, result.items, result.payments, result.allocations)


IMPORTERS = {
    "customers": lambda book, path, mapping: _import_table(book, path, mapping, "customers"),
    "contacts": lambda book, path, mapping: _import_table(book, path, mapping, "contacts"),
    "invoices": lambda book, path, mapping: _import_table(book, path, mapping, "invoices"),
    "payments": lambda book, path, mapping: _import_table(book, path, mapping, "payments"),
    "fec": _import_fec,
}
