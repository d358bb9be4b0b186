"""E-invoices in (Factur-X PDF, CII, UBL): each file becomes one invoice or credit note.

Each file is imported on its own, in its own transaction, with its own ImportBatch: one bad
file never blocks the others. What is recorded:
- the buyer is the customer with the invoice's SIRET, else its SIREN, else its VAT number,
  else exactly its name (accents, case and punctuation aside); otherwise a new customer is
  created with those identifiers;
- the invoice's amount is what the buyer still has to pay (BT-115 "amount due": the total
  including VAT less what was prepaid). A prepaid part was an advance invoice already paid;
  counting it again would inflate the balance. The total is kept in the result's notes;
- without a due date, the due date is the company's payment term after the issue date, and
  the result says so;
- a Factur-X PDF is kept as the invoice's PDF (sent with reminders); a CII or UBL XML file is
  not kept, since reminders attach PDFs (its SHA-256 stays on the ImportBatch).
Importing the same e-invoice again changes nothing; another document with the same number
and other figures is refused with the differences.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import reduce
from operator import or_
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from relance.core import identifiers
from relance.core.einvoice.records import EInvoice, EInvoiceError, Party
from relance.core.records import ItemKind
from relance.imports.models import ImportBatch
from relance.imports.services import fail_interrupted
from relance.ledger import services as ledger
from relance.ledger.models import Company, Contact, Customer, Invoice

Reader = Callable[[bytes, str], EInvoice]
logger = logging.getLogger(__name__)
Source = Path | str | tuple[str, bytes]


class Refused(ValueError):
    """An e-invoice that is not recorded; `reasons` say why."""

    def __init__(self, *reasons: str) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


@dataclass
class EInvoiceResult:
    """What happened to one file: created, unchanged (already imported) or refused."""

    file_name: str
    status: str = "refused"
    batch_id: int | None = None
    number: str = ""
    is_credit_note: bool = False
    invoice_id: int | None = None
    customer_code: str = ""
    customer_id: int | None = None
    customer_created: bool = False
    reasons: list[str] = field(default_factory=list)  # why it was refused
    notes: list[str] = field(default_factory=list)  # what was decided for the user

    @property
    def record_kind(self) -> str:
        return "credit_notes" if self.is_credit_note else "invoices"

    def counts(self) -> dict[str, dict[str, int]]:
        created = {}
        if self.customer_created:
            created["customers"] = 1
        if self.status == "created":
            created[self.record_kind] = 1
        unchanged = {self.record_kind: 1} if self.status == "unchanged" else {}
        return {"created": created, "updated": {}, "unchanged": unchanged}

    def as_json(self) -> dict:
        return {
            "file": self.file_name,
            "batch": self.batch_id,
            "status": self.status,
            "number": self.number,
            "customer": self.customer_code,
            **self.counts(),
            "reasons": self.reasons,
            "notes": self.notes,
        }


def _default_reader(data: bytes, name: str) -> EInvoice:
    from relance.core.einvoice import read_einvoice  # the readers load lxml and factur-x

    return read_einvoice(data, name)


def import_einvoices(
    company: Company, files: Iterable[Source], user=None, *, reader: Reader | None = None
) -> list[EInvoiceResult]:
    """Import each file on its own; one result per file, in the order given."""
    return [import_einvoice(company, source, user, reader=reader) for source in files]


def import_einvoice(
    company: Company, source: Source, user=None, *, reader: Reader | None = None
) -> EInvoiceResult:
    name, data = _load(source)
    fail_interrupted(company)
    batch = ImportBatch.objects.create(
        company=company,
        kind=ImportBatch.Kind.EINVOICE,
        file_name=name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        user=user,
        total_lines=1,
    )
    result = EInvoiceResult(file_name=name, batch_id=batch.pk)
    try:
        with transaction.atomic():
            _import(company, batch, data, name, reader or _default_reader, result)
    except Refused as refusal:
        _refuse(result, refusal.reasons)
    except Exception as error:  # a reader's or the database's bug must not stop the others
        logger.exception("e-invoice %s of %s", name, company.code)
        _refuse(result, [f"erreur interne : {error!r}"])
    _close(batch, result)
    return result


def _refuse(result: EInvoiceResult, reasons: list[str]) -> None:
    result.status, result.reasons = "refused", reasons
    result.invoice_id = result.customer_id = None
    result.customer_code, result.customer_created = "", False


def _load(source: Source) -> tuple[str, bytes]:
    if isinstance(source, tuple):
        return source
    path = Path(source)
    return path.name, path.read_bytes()


def _import(company, batch, data: bytes, name: str, reader: Reader, result) -> None:
    try:
        document = reader(data, name)
    except EInvoiceError as error:
        raise Refused(*error.reasons) from None
    result.number, result.is_credit_note = document.number, document.is_credit_note
    result.notes.extend(document.warnings)
    _check_seller(company, document.seller)
    fields = _invoice_fields(company, document, result)
    existing = Invoice.objects.filter(company=company, number=document.number).first()
    if existing is not None:
        _check_same(existing, fields)
        result.status, result.invoice_id = "unchanged", existing.pk
        result.customer_code, result.customer_id = existing.customer.code, existing.customer_id
        return
    customer = _buyer(company, document.buyer, result)
    if _is_pdf(document, data):
        fields["pdf"] = ContentFile(data, name=_pdf_name(document.number))
    try:
        invoice = ledger.record_invoice(company, customer, import_batch=batch, **fields)
    except ValidationError as error:
        raise Refused(*_messages(error)) from None
    result.status, result.invoice_id = "created", invoice.pk


def _invoice_fields(company: Company, document: EInvoice, result: EInvoiceResult) -> dict:
    if len(document.number) > 60:
        raise Refused(f"numéro de facture trop long (60 caractères au plus) : {document.number}")
    if document.amount_due <= 0:
        raise Refused(
            f"rien à payer sur la facture {document.number} (montant dû "
            f"{_french(document.amount_due)} {document.currency}) : rien à relancer"
        )
    due_on = document.due_on
    if due_on is None:
        due_on = document.issued_on + timedelta(days=company.default_payment_days)
        result.notes.append(
            f"pas d'échéance dans la facture : échéance fixée au {due_on:%d/%m/%Y}, "
            f"{company.default_payment_days} jours après la date de facture"
        )
    prepaid = document.total - document.amount_due
    if prepaid > 0:
        result.notes.append(
            f"total TTC {_french(document.total)} {document.currency}, déjà payé "
            f"{_french(prepaid)} : montant à recouvrer {_french(document.amount_due)}"
        )
    kind = ItemKind.CREDIT_NOTE if document.is_credit_note else ItemKind.INVOICE
    return {
        "number": document.number,
        "kind": kind.value,
        "is_credit": document.is_credit_note,
        "issued_on": document.issued_on,
        "due_on": due_on,
        "amount": document.amount_due,
        "amount_excl_tax": document.total_without_tax if prepaid <= 0 else None,
        "currency": document.currency,
        "po_reference": (document.order_reference or document.buyer_reference)[:60],
        # Matched against bank lines when it is an ISO 11649 "RF" reference (banking.convert).
        "payment_reference": document.payment_reference[:140],
    }


FIGURES = {
    "is_credit": "type",
    "amount": "montant",
    "currency": "devise",
    "issued_on": "date de facture",
}


def _check_same(existing: Invoice, fields: dict) -> None:
    """Same number, same figures: already imported. Other figures: refused, with each one."""
    differences = [
        f"{label} {_shown(fields[name])} au lieu de {_shown(getattr(existing, name))}"
        for name, label in FIGURES.items()
        if fields[name] != getattr(existing, name)
    ]
    if differences:
        raise Refused(
            f"la pièce {existing.number} existe déjà avec d'autres valeurs : "
            + ", ".join(differences)
        )


# --- seller and buyer ----------------------------------------------------------------------


def _check_seller(company: Company, seller: Party) -> None:
    """The invoice must be one the company issued: its receivable, not a supplier's bill."""
    ours, theirs = _identity(company), _party_identity(seller)
    for kind in ("siren", "vat"):
        if ours[kind] and theirs[kind] and ours[kind] != theirs[kind]:
            label = "SIREN" if kind == "siren" else "TVA"
            raise Refused(
                f"facture émise par {seller.name or '?'} ({label} {theirs[kind]}), "
                f"pas par {company.name} ({label} {ours[kind]})"
            )


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def _siren_of(siren: str, siret: str, vat: str) -> str:
    if siren:
        return siren
    if len(siret) == 14:
        return siret[:9]
    # A French VAT number is FR + 2-character key + SIREN.
    return vat[4:] if vat.startswith("FR") and len(vat) == 13 else ""


def _identity(company: Company) -> dict[str, str]:
    siret, vat = _compact(company.siret), _compact(company.vat_number)
    return {"siren": _siren_of(_compact(company.siren), siret, vat), "vat": vat}


def _party_identity(party: Party) -> dict[str, str]:
    siret, vat = _compact(party.siret), _compact(party.vat_number)
    return {"siren": _siren_of(_compact(party.siren), siret, vat), "siret": siret, "vat": vat}


def _buyer(company: Company, party: Party, result: EInvoiceResult) -> Customer:
    customer = find_buyer(company, party)
    if customer is None:
        customer = _create_buyer(company, party, result)
        result.customer_created = True
    result.customer_code, result.customer_id = customer.code, customer.pk
    return customer


def find_buyer(company: Company, party: Party) -> Customer | None:
    """The customer with the buyer's SIRET, else SIREN, else VAT number, else exact name."""
    ids = _party_identity(party)
    customers = Customer.objects.filter(company=company)
    lookups = [
        ("SIRET", ids["siret"], Q(siret=ids["siret"])),
        ("SIREN", ids["siren"], Q(siren=ids["siren"]) | Q(siret__startswith=ids["siren"])),
        ("TVA", ids["vat"], Q(vat_number=ids["vat"])),
    ]
    for label, value, condition in lookups:
        if value:
            found = _one(customers.filter(condition), f"le {label} {value}")
            if found is not None:
                return found
    return _by_name(customers, party.name, ids)


def _one(candidates, what: str) -> Customer | None:
    found = list(candidates.order_by("code")[:5])
    if len(found) > 1:
        codes = ", ".join(customer.code for customer in found)
        raise Refused(f"plusieurs clients ont {what} : {codes} ; un seul doit l'avoir")
    return found[0] if found else None


def normalised_name(name: str) -> str:
    """'Dupont  Bâtiment S.A.S.' -> 'dupont batiment s a s'."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.casefold()).split())


def _by_name(customers, name: str, ids: dict[str, str]) -> Customer | None:
    wanted = normalised_name(name)
    if not wanted:
        return None
    # The database narrows to names sharing an unaccented word (its case-insensitive
    # matching ignores accents on neither side); Python compares the whole name.
    words = [word for word in re.findall(r"\w+", name) if word.isascii() and len(word) > 2]
    narrowed = customers
    if words:
        narrowed = customers.filter(reduce(or_, (Q(name__icontains=word) for word in words)))
    matches = [
        customer
        for customer in narrowed.only("pk", "code", "name", "siren", "siret")
        if normalised_name(customer.name) == wanted and _compatible(customer, ids)
    ]
    if len(matches) > 1:
        codes = ", ".join(sorted(customer.code for customer in matches))
        raise Refused(f"plusieurs clients s'appellent {name} : {codes}")
    return Customer.objects.get(pk=matches[0].pk) if matches else None


def _compatible(customer: Customer, ids: dict[str, str]) -> bool:
    """A same-name customer with another SIREN is another company."""
    siren = _siren_of(customer.siren, customer.siret, "")
    return not (siren and ids["siren"] and siren != ids["siren"])


def _create_buyer(company: Company, party: Party, result: EInvoiceResult) -> Customer:
    if not party.name.strip():
        raise Refused("acheteur sans nom ni identifiant connu : impossible de créer le client")
    values = {
        "name": party.name.strip()[:200],
        "address": party.address[:200],
        "postal_code": party.postal_code[:12],
        "city": party.city[:100],
        "country": (party.country or company.country).upper()[:2],
    }
    for name, clean, raw in (
        ("siren", identifiers.clean_siren, party.siren or party.siret[:9]),
        ("siret", identifiers.clean_siret, party.siret),
        ("vat_number", identifiers.clean_vat, party.vat_number),
    ):
        values[name] = _valid_identifier(clean, raw, result)
    values["code"] = _new_code(company, values["siren"] or values["name"])
    try:
        customer = ledger.create_customer(company, **values)
        if party.email:
            ledger.save_contact(Contact(customer=customer), name=values["name"], email=party.email)
    except ValidationError as error:
        raise Refused(*_messages(error)) from None
    result.notes.append(f"nouveau client {customer.code} — {customer.name}")
    return customer


def _valid_identifier(clean: Callable[[str], str], raw: str, result: EInvoiceResult) -> str:
    if not raw.strip():
        return ""
    try:
        return clean(raw)
    except identifiers.IdentifierError as error:
        result.notes.append(f"{error} : non repris sur le client")
        return ""


def _new_code(company: Company, basis: str) -> str:
    """The SIREN, else the name in capitals ('DUPONTBATIMENT'), made unique with -2, -3..."""
    base = re.sub(r"[^A-Z0-9]", "", normalised_name(basis).upper())[:30] or "CLIENT"
    taken = set(
        Customer.objects.filter(company=company, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, rank = base, 1
    while code in taken:
        rank += 1
        code = f"{base}-{rank}"
    return code


# --- small helpers -------------------------------------------------------------------------


def _is_pdf(document: EInvoice, data: bytes) -> bool:
    return document.syntax == "factur-x" or data[:5] == b"%PDF-"


def _pdf_name(number: str) -> str:
    return f"{get_valid_filename(number)[:60] or 'facture'}.pdf"


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [f"{name} : {' '.join(texts)}" for name, texts in error.message_dict.items()]
    return list(error.messages)


def _french(amount) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",")


def _shown(value) -> str:
    if isinstance(value, bool):
        return "avoir" if value else "facture"
    if hasattr(value, "strftime"):
        return f"{value:%d/%m/%Y}"
    if hasattr(value, "quantize"):
        return _french(value)
    return str(value)


def _close(batch: ImportBatch, result: EInvoiceResult) -> None:
    batch.counts = result.counts()
    batch.processed_lines = 1
    batch.finished_at = timezone.now()
    batch.status = ImportBatch.Status.DONE
    if result.status == "refused":
        batch.status = ImportBatch.Status.FAILED
        batch.error = "; ".join(result.reasons)
    batch.save()
