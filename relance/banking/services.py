"""Bank statements in, bank lines stored once; and how fresh the company's bank data is.

`import_statement_file` refuses a whole file (ImportFileError, no statement and no line
written) when it cannot be read or when a statement's balances do not add up: a statement
whose movements do not explain its balances has lost or invented lines, and matching
payments from it would mislead. Otherwise it stores every statement and every line not
already known, in one transaction. E-invoices: see relance.banking.einvoices.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from relance.core.bank.records import BankFileError, BankStatement, StatementFile
from relance.imports.models import ImportBatch
from relance.imports.report import ImportFileError, ImportReport
from relance.imports.services import fail_interrupted
from relance.ledger.models import Company

from .einvoices import EInvoiceResult, import_einvoices  # noqa: F401  (one entry point)
from .fingerprints import line_fingerprints, normalised_account, statement_fingerprint
from .models import BankLine, Statement

Reader = Callable[[bytes, str], StatementFile]
BATCH = 1000


def _default_reader(data: bytes, name: str) -> StatementFile:
    from relance.core.bank import read_statement_file  # the parsers load their libraries

    return read_statement_file(data, name)


def read_source(source: Path | str | bytes, file_name: str | None = None) -> tuple[bytes, str]:
    """(content, name) of a path or of bytes already read (an upload)."""
    if isinstance(source, bytes):
        return source, file_name or "releve"
    path = Path(source)
    try:
        return path.read_bytes(), file_name or path.name
    except OSError as error:
        raise ImportFileError(f"fichier illisible : {error.strerror or error}") from None


def import_statement_file(
    company: Company,
    source: Path | str | bytes,
    user=None,
    *,
    file_name: str | None = None,
    reader: Reader | None = None,
) -> ImportReport:
    """Store the statements of one bank file (CAMT.053/054, CFONB 120, OFX, MT940).

    Counts `statements` and `bank_lines` created or already known (unchanged). Raises
    ImportFileError, having written nothing but the failed ImportBatch, when the file is
    unreadable or a statement's balances do not add up."""
    data, name = read_source(source, file_name)
    fail_interrupted(company)
    batch = ImportBatch.objects.create(
        company=company,
        kind=ImportBatch.Kind.BANK,
        file_name=name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        user=user,
    )
    try:
        parsed = _read(reader or _default_reader, data, name)
        with transaction.atomic():
            report = ImportReport(batch_id=batch.pk)
            _store(company, batch, parsed, report)
            _close(batch, report, lines=sum(len(s.lines) for s in parsed.statements))
    except ImportFileError as error:
        _fail(batch, str(error))
        raise
    except Exception as error:
        _fail(batch, f"erreur interne : {error!r}")
        raise
    return report


def _read(reader: Reader, data: bytes, name: str) -> StatementFile:
    try:
        parsed = reader(data, name)
    except BankFileError as error:
        raise ImportFileError(str(error)) from None
    if not parsed.statements:
        raise ImportFileError("aucun relevé dans le fichier")
    for statement in parsed.statements:
        check_statement(statement)
    return parsed


def check_statement(statement: BankStatement) -> None:
    """Refuse a statement mixing currencies or whose balances its movements do not explain."""
    for line in statement.lines:
        if line.currency != statement.currency:
            raise ImportFileError(
                f"relevé {describe(statement)}, ligne {line.line} : devise {line.currency} "
                f"différente de celle du relevé ({statement.currency})"
            )
    gap = statement.balance_gap()
    if gap:
        moved = sum((line.amount for line in statement.lines), Decimal(0))
        raise ImportFileError(
            f"relevé {describe(statement)} : solde initial {french(statement.opening_balance)}"
            f" + mouvements {french(moved)} ≠ solde final {french(statement.closing_balance)}"
            f" (écart {french(abs(gap))})"
        )


def describe(statement: BankStatement) -> str:
    name = statement.reference or statement.account
    if statement.closing_on and not statement.reference:
        name += f" au {statement.closing_on:%d/%m/%Y}"
    return f"{name} (ligne {statement.line})"


def french(amount: Decimal | None) -> str:
    """1234.5 -> '1 234,50': amounts in messages are written the French way."""
    if amount is None:
        return "—"
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",")


def _store(company: Company, batch: ImportBatch, parsed: StatementFile, report) -> None:
    keyed = [(statement, line_fingerprints(statement)) for statement in parsed.statements]
    known = _known_fingerprints(company, [statement for statement, _ in keyed])
    for statement, keys in keyed:
        row = _statement_row(company, batch, parsed.format, statement, keys, report)
        new_lines = []
        for line, key in zip(statement.lines, keys, strict=True):
            if key in known:
                report.unchanged["bank_lines"] += 1
                continue
            known.add(key)
            new_lines.append(_line_row(company, row, line, key))
        if new_lines:
            BankLine.objects.bulk_create(new_lines, batch_size=BATCH, ignore_conflicts=True)
            report.created["bank_lines"] += len(new_lines)


def _known_fingerprints(company: Company, statements: list[BankStatement]) -> set[str]:
    """Fingerprints already stored for the accounts and days of the file: one query each."""
    spans: dict[str, tuple[date, date]] = {}
    for statement in statements:
        days = [line.booked_on for line in statement.lines]
        if not days:
            continue
        account = normalised_account(statement.account)
        low, high = spans.get(account, (min(days), max(days)))
        spans[account] = (min(low, *days), max(high, *days))
    known: set[str] = set()
    for account, (low, high) in spans.items():
        known.update(
            BankLine.objects.filter(
                company=company, account=account, booked_on__range=(low, high)
            ).values_list("fingerprint", flat=True)
        )
    return known


def _statement_row(company, batch, file_format, statement, keys, report) -> Statement:
    fingerprint = statement_fingerprint(statement, keys)
    row = Statement.objects.filter(company=company, fingerprint=fingerprint).first()
    if row is not None:
        report.unchanged["statements"] += 1
        return row
    report.created["statements"] += 1
    days = [line.booked_on for line in statement.lines]
    return Statement.objects.create(
        company=company,
        import_batch=batch,
        account=normalised_account(statement.account)[:64],
        currency=statement.currency,
        reference=statement.reference[:120],
        format=file_format[:40],
        opening_on=statement.opening_on or min(days, default=None),
        opening_balance=statement.opening_balance,
        closing_on=statement.closing_on or max(days, default=None),
        closing_balance=statement.closing_balance,
        line_count=len(statement.lines),
        fingerprint=fingerprint,
    )


def _line_row(company: Company, statement: Statement, line, fingerprint: str) -> BankLine:
    return BankLine(
        company=company,
        statement=statement,
        account=statement.account,
        line=line.line,
        booked_on=line.booked_on,
        value_on=line.value_on,
        amount=line.amount,
        currency=line.currency,
        counterparty_name=line.counterparty_name[:200],
        counterparty_iban=line.counterparty_iban[:34],
        remittance=line.remittance,
        structured_reference=line.structured_reference[:64],
        end_to_end_id=line.end_to_end_id[:64],
        bank_reference=line.bank_reference[:255],
        bank_code=line.bank_code[:40],
        is_return=line.is_return,
        fingerprint=fingerprint,
    )


def _close(batch: ImportBatch, report: ImportReport, *, lines: int) -> None:
    json = report.as_json()
    batch.counts = {key: json[key] for key in ("created", "updated", "unchanged")}
    batch.status = ImportBatch.Status.DONE
    batch.total_lines = batch.processed_lines = lines
    batch.finished_at = timezone.now()
    batch.save()


def _fail(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED, error=message, finished_at=timezone.now(), counts={}
    )


# --- freshness of the bank data ------------------------------------------------------------


def freshest_bank_date(company: Company) -> date | None:
    """The latest day the imported bank data covers: a booking date or a closing date."""
    dates = [
        BankLine.objects.filter(company=company).aggregate(latest=Max("booked_on"))["latest"],
        Statement.objects.filter(company=company).aggregate(latest=Max("closing_on"))["latest"],
    ]
    return max((day for day in dates if day is not None), default=None)


def is_bank_data_stale(company: Company, today: date) -> bool:
    """True when the company asks to pause sending on old bank data and its freshest bank
    date is older than that many days (or there is none)."""
    return bank_freshness(company, today).is_stale


@dataclass(frozen=True)
class BankFreshness:
    """What the pages say about the bank data: its date, its age, and whether it is stale."""

    latest_on: date | None
    age_days: int | None
    max_age_days: int | None  # the company's pause setting; None: no limit

    @property
    def is_absent(self) -> bool:
        return self.latest_on is None

    @property
    def is_stale(self) -> bool:
        if self.max_age_days is None:
            return False
        return self.age_days is None or self.age_days > self.max_age_days


def bank_freshness(company: Company, today: date) -> BankFreshness:
    latest = freshest_bank_date(company)
    return BankFreshness(
        latest_on=latest,
        age_days=None if latest is None else (today - latest).days,
        max_age_days=company.pause_sending_when_bank_older_than_days,
    )
