"""The evidence export of one customer: one ZIP with what a collection agency, a bailiff, a
lawyer or an "injonction de payer" request needs, and the log of every export made.

ZIP layout (names in French, as handed over):
    synthese.pdf                      parties, claim, chronology, manifest of the other files
    factures/<numéro>.pdf             the invoices' PDFs the ledger has
    relances/<date>-<id>-email.eml    each e-mail as sent, rebuilt from what was stored
    relances/<date>-<id>-courrier.pdf each letter's PDF as kept when printed
    relances/<date>-<id>-sms.txt      each SMS as sent
    accuses-reception/<id>-<fichier>  the signed acknowledgements of receipt
    historique.csv                    every line of every reminder's history
    empreintes.sha256                 SHA-256 of every file above, synthese.pdf included
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation

from relance.ledger.models import Customer, Invoice
from relance.letters.documents import recipient_lines, render_pdf

from . import files as kept
from . import summary
from .models import EvidenceExport

SUMMARY_NAME = "synthese.pdf"
HASHES_NAME = "empreintes.sha256"


def file_name(customer: Customer, as_of: date) -> str:
    company = customer.company
    return f"preuves-{kept.safe(company.code)}-{kept.safe(customer.code)}-{as_of:%Y-%m-%d}.zip"


@transaction.atomic
def export_customer_evidence(customer: Customer, as_of: date, user) -> bytes:
    """The ZIP of evidence of `customer`, amounts as of `as_of`; the export is logged with the
    ZIP's SHA-256 and who made it (`user`, None from the command line)."""
    now = timezone.now()
    files = evidence_files(customer, as_of, user, now)
    content = zip_of(files, timezone.localtime(now, ZoneInfo(customer.company.time_zone)))
    EvidenceExport.objects.create(
        company=customer.company,
        customer=customer,
        amounts_on=as_of,
        user=user,
        file_name=file_name(customer, as_of),
        sha256=kept.File("", content).sha256,
        size=len(content),
        files=len(files),
    )
    return content


def evidence_files(customer: Customer, as_of: date, user, now: datetime) -> list[kept.File]:
    """Every file of the export, the summary first and the hashes last."""
    reminders = list(kept.sent_reminders(customer))
    invoices, anomalies = kept.invoice_files(_invoices(customer, reminders))
    by_hash = {file.sha256: file.content for file in invoices}
    sent, more = kept.reminder_files(reminders, by_hash)
    others = [*invoices, *sent, kept.history_csv(customer)]
    context = {
        **_parties(customer),
        "as_of": as_of,
        "exported_at": timezone.localtime(now, ZoneInfo(customer.company.time_zone)),
        "user": user,
        "claims": summary.claims(customer, as_of),
        "chronology": summary.chronology(customer, reminders),
        **summary.manifest(others, anomalies + more),
    }
    with translation.override("fr"):
        pdf = kept.File(SUMMARY_NAME, render_pdf("evidence/summary.html", context))
    files = [pdf, *others]
    lines = "".join(f"{file.sha256}  {file.name}\n" for file in files)
    return [*files, kept.File(HASHES_NAME, lines.encode())]


def _invoices(customer: Customer, reminders) -> list[Invoice]:
    """The invoices claimed (open) and those listed in a reminder that went out."""
    listed = Invoice.objects.filter(reminder_items__reminder__in=reminders)
    return list(
        (
            Invoice.objects.filter(customer=customer, open_amount__gt=0)
            | listed.filter(customer=customer)
        )
        .distinct()
        .order_by("due_on", "number")
    )


def _parties(customer: Customer) -> dict:
    company = customer.company
    return {
        "company": company,
        "customer": customer,
        "customer_lines": recipient_lines(customer),
        "contacts": list(customer.contacts.all()),
    }


def zip_of(files: list[kept.File], at: datetime) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            info = zipfile.ZipInfo(file.name, date_time=at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.content)
    return buffer.getvalue()
