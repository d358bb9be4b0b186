"""What goes on paper: the context of the reminder letter, the formal notice and the account
statement, and their rendering to PDF with WeasyPrint (templates in letters/templates/).

The letter's words are the step's text (relance.dunning.render: the stored template, or the
text an approver validated); this module only lays it out: letterhead, the debtor's address
in the envelope window, the items as a real table, bank details, signature. The formal
notice adds what Code civil 1344 requires whatever the text says: the title "mise en
demeure", the amounts claimed per invoice (principal, interest to date, indemnity), the
deadline and the consequences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from relance.core import interest
from relance.core.dunning import Channel, Escalation
from relance.core.matching import creditor_reference
from relance.dunning.models import Reminder
from relance.dunning.render import reminder_context, render_reminder
from relance.ledger.models import Customer, Invoice, Payment
from relance.legal.services import amounts_for
from relance.web.templatetags.relance_format import money

# Code civil 1344 asks for a reasonable deadline; eight days is the usage between businesses.
NOTICE_DAYS = 8
_SUBJECT_PREFIXES = ("Objet :", "Objet:", "Subject:")
_TOTAL_LINES = ("Montant total dû", "Total due")
# Words by which a text states the consequences of a formal notice, and the article it cites.
_CONSEQUENCES = ("judiciaire", "en justice", "legal proceedings", "legal action")
_DATE_FORMATS = {"fr": ("d/m/Y", "j F Y"), "en": ("j M Y", "j F Y")}


@dataclass(frozen=True)
class _Listed:
    """A listed item as relance.legal.services.amounts_for reads it."""

    number: str
    due_on: date
    open_amount: Decimal
    currency: str
    is_credit: bool


def render_pdf(template: str, context: dict) -> bytes:
    """A PDF from one of the letters/ templates (weasyprint is imported here only: it loads
    Pango, which the web pages do not need)."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()


def letter_pdf(reminder: Reminder, today: date) -> bytes:
    """The letter of a reminder (the formal notice when its step escalates to one)."""
    with translation.override(_language(reminder.language)):
        context = letter_context(reminder, today)
        return render_pdf(f"letters/{context['kind']}.html", context)


def statement_pdf(customer: Customer, today: date, currency: str = "") -> bytes:
    """The account statement ("relevé de compte") of a customer in one currency."""
    with translation.override(_language(customer.language)):
        return render_pdf("letters/statement.html", statement_context(customer, today, currency))


def letter_context(reminder: Reminder, today: date) -> dict:
    """Everything the letter and formal-notice templates show."""
    language = _language(reminder.language)
    variables = reminder_context(reminder, language)
    text = reminder.body_text or render_reminder(reminder)[1]
    subject, paragraphs = split_letter_text(text, reminder.subject)
    is_notice = reminder.escalation == Escalation.FORMAL_NOTICE.value
    context = {
        **_parties(reminder.company, reminder.customer, today, language),
        "kind": "notice" if is_notice else "letter",
        "reminder": reminder,
        "is_registered": reminder.channel == Channel.REGISTERED_LETTER.value,
        "subject": subject,
        "blocks": _blocks(paragraphs, variables),
        "collector": variables["collector"],
        "items": variables["items"],
        "total": variables["total"],
        "overdue_total": variables["overdue_total"],
        "payment_reference": variables["payment_reference"],
    }
    if is_notice:
        context.update(notice_claim(reminder, today))
        # Code civil 1344: the notice states them whatever the step's text says; the
        # summary box repeats only what the text leaves out.
        text = " ".join(block.get("text", "") for block in context["blocks"])
        context["states_consequences"] = any(words in text for words in _CONSEQUENCES)
        context["states_article"] = "1344" in text
    debits = [row.invoice.number for row in reminder.listed_items() if not row.invoice.is_credit]
    amount = context.get("claim_amount", reminder.amount)
    context["epc_qr"] = _epc_qr(
        reminder.company, amount, reminder.currency, variables["payment_reference"], debits
    )
    return context


def split_letter_text(text: str, subject: str) -> tuple[str, list[str]]:
    """(subject line, paragraphs) of a step's text. The default letter texts begin with a
    plain-text head (sender, recipient, date, "Objet : ...") that the PDF lays out itself:
    everything up to the subject line is dropped. A text without one is kept whole."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    for index, paragraph in enumerate(paragraphs[:8]):
        for prefix in _SUBJECT_PREFIXES:
            if paragraph.startswith(prefix):
                return paragraph[len(prefix) :].strip(), paragraphs[index + 1 :]
    return subject, paragraphs


def _blocks(paragraphs: list[str], variables: dict) -> list[dict]:
    """Paragraphs as blocks; the plain-text items table becomes {"table": True} (the template
    draws a real one); the bank details and the closing signature are left to their own
    blocks of the layout."""
    header, last = variables["columns"][0], variables["columns"][-1]
    iban, collector = variables["company"]["iban"], variables["collector"]["name"]
    blocks = []
    for paragraph in paragraphs:
        if paragraph.startswith(header) and last in paragraph.split("\n")[0]:
            blocks.append({"table": True})
        elif blocks and "table" in blocks[-1] and paragraph.startswith(_TOTAL_LINES):
            continue  # the table has its own total row
        elif not (iban and iban in paragraph):
            blocks.append({"text": paragraph})
    if blocks and "text" in blocks[-1] and blocks[-1]["text"].startswith(collector):
        blocks.pop()
    if not any("table" in block for block in blocks):
        blocks.insert(min(2, len(blocks)), {"table": True})
    return blocks


def notice_claim(reminder: Reminder, today: date) -> dict:
    """The formal notice's claim: each overdue invoice with principal, days late, interest
    to date and indemnity (none for a consumer, Code civil 1344-1), credits deducted, the
    total and the deadline. Refused when the rate table lacks a half-year: a notice never
    states a wrong figure."""
    customer = reminder.customer
    rows = [
        _Listed(
            row.invoice.number,
            row.invoice.due_on,
            row.open_amount,
            row.invoice.currency,
            row.invoice.is_credit,
        )
        for row in reminder.listed_items()
    ]
    overdue = [row for row in rows if not row.is_credit and row.due_on < today]
    try:
        claim = amounts_for(customer, overdue, today)
    except interest.MissingRatesError as error:
        raise ValidationError(
            f"Mise en demeure impossible : taux légaux manquants ({error}). "
            "Un administrateur doit compléter la table des taux."
        ) from None
    credits = sum((row.open_amount for row in rows if row.is_credit), Decimal(0))
    currency = reminder.currency
    language = _language(reminder.language)
    # A consumer's first notice claims no interest yet (it runs from the notice): no column.
    has_interest = not customer.is_consumer or claim.total_interest > 0
    return {
        "is_consumer": customer.is_consumer,
        "has_interest": has_interest,
        "claim_columns": 4 + has_interest + (not customer.is_consumer),
        "claim_rows": [_claim_row(item, currency, language) for item in claim.items],
        "claim_credits": money(-credits, currency) if credits else "",
        "claim_principal": money(claim.total_principal, currency),
        "claim_interest": money(claim.total_interest, currency),
        "claim_indemnity": money(claim.total_indemnity, "EUR"),
        "claim_total": money(claim.total - credits, currency),
        "claim_amount": claim.total - credits,
        "claim_unconfirmed": bool(claim.unconfirmed),
        "interest_rate": _rate(reminder, today),
        "deadline_days": NOTICE_DAYS,
    }


def _claim_row(item: interest.InvoicePenalties, currency: str, language: str) -> dict:
    return {
        "number": item.number,
        "due_on": format_date(item.due_on, _DATE_FORMATS[language][0]),
        "principal": money(item.principal, currency),
        "days_late": item.days_late,
        "interest": money(item.interest, currency),
        "indemnity": money(item.indemnity, "EUR"),
    }


def _rate(reminder: Reminder, today: date) -> str:
    from relance.legal.services import interest_rate_for

    try:
        rate = interest_rate_for(reminder.customer, today)
    except interest.MissingRatesError:
        return ""
    return f"{rate:.2f}".replace(".", ",") + "\u00a0%"


def statement_context(customer: Customer, today: date, currency: str = "") -> dict:
    """Every open item of the customer in the currency (invoices, credit notes, unallocated
    payments) with days late, and the balance."""
    currency = currency or customer.company.currency
    language = _language(customer.language)
    short = _DATE_FORMATS[language][0]
    items = Invoice.objects.filter(
        customer=customer, currency=currency, open_amount__gt=0
    ).order_by("due_on", "number")
    payments = Payment.objects.filter(
        customer=customer, currency=currency, unallocated_amount__gt=0
    ).order_by("received_on", "pk")
    rows = [
        {
            "number": item.number,
            "label": _("Avoir") if item.is_credit else "",
            "issued_on": format_date(item.issued_on, short),
            "due_on": format_date(item.due_on, short),
            "days_late": 0 if item.is_credit else max(0, (today - item.due_on).days),
            "debit": "" if item.is_credit else money(item.open_amount, currency),
            "credit": money(item.open_amount, currency) if item.is_credit else "",
        }
        for item in items
    ]
    rows += [
        {
            "number": payment.reference or f"#{payment.pk}",
            "label": _("Règlement non affecté"),
            "issued_on": format_date(payment.received_on, short),
            "due_on": "",
            "days_late": 0,
            "debit": "",
            "credit": money(payment.unallocated_amount, currency),
        }
        for payment in payments
    ]
    debit = sum((i.open_amount for i in items if not i.is_credit), Decimal(0))
    credit = sum((i.open_amount for i in items if i.is_credit), Decimal(0))
    credit += sum((p.unallocated_amount for p in payments), Decimal(0))
    overdue = sum(
        (i.open_amount for i in items if not i.is_credit and i.due_on < today), Decimal(0)
    )
    debits = [i for i in items if not i.is_credit]
    reference = _reference(debits[0].number) if len(debits) == 1 else ""
    return {
        **_parties(customer.company, customer, today, language),
        "kind": "statement",
        "rows": rows,
        "total_debit": money(debit, currency),
        "total_credit": money(credit, currency),
        "balance": money(debit - credit, currency),
        "overdue": money(overdue, currency),
        "payment_reference": reference,
        "epc_qr": _epc_qr(
            customer.company, debit - credit, currency, reference, [i.number for i in debits]
        ),
    }


def invoice_copy_pdf(invoice: Invoice, today: date) -> bytes:
    """A summary of one invoice for a debtor whose original PDF the ledger lacks (the
    self-service page): its dates and amounts, what it still owes, and how to pay it. It
    says it does not replace the invoice."""
    customer = invoice.customer
    with translation.override(_language(customer.language)):
        return render_pdf("letters/invoice_copy.html", invoice_copy_context(invoice, today))


def invoice_copy_context(invoice: Invoice, today: date) -> dict:
    language = _language(invoice.customer.language)
    short = _DATE_FORMATS[language][0]
    from relance.portal.transfer import reference_of  # an e-invoice's own RF reference first

    currency = invoice.currency
    reference = reference_of(invoice)
    return {
        **_parties(invoice.company, invoice.customer, today, language),
        "kind": "invoice_copy",
        "invoice": invoice,
        "issued_on": format_date(invoice.issued_on, short),
        "due_on": format_date(invoice.due_on, short),
        "days_late": max(0, (today - invoice.due_on).days) if not invoice.is_credit else 0,
        "amount": money(invoice.amount, currency),
        "amount_excl_tax": money(invoice.amount_excl_tax, currency)
        if invoice.amount_excl_tax is not None
        else "",
        "settled": money(invoice.amount - invoice.open_amount, currency),
        "open_amount": money(invoice.open_amount, currency),
        "payment_reference": reference if invoice.open_amount > 0 else "",
        "epc_qr": _epc_qr(invoice.company, invoice.open_amount, currency, reference, [])
        if invoice.open_amount > 0 and not invoice.is_credit
        else "",
    }


def _epc_qr(company, amount: Decimal, currency: str, reference: str, numbers: list[str]) -> str:
    """The EPC QR code of the bank transfer the document asks for (relance.portal.transfer:
    the same code as on the debtor's page), "" when none can be drawn."""
    from relance.portal.transfer import qr_for  # the portal app builds on this one

    return qr_for(company, amount, currency, reference, numbers, _("Factures"))


def _parties(company, customer: Customer, today: date, language: str) -> dict:
    """Letterhead, the recipient's address block, place and date."""
    return {
        "company": {
            "name": company.name,
            "address_lines": _lines(company),
            "siren": company.siren,
            "siret": company.siret,
            "vat_number": company.vat_number,
            "iban": " ".join(company.iban[i : i + 4] for i in range(0, len(company.iban), 4)),
            "bic": company.bic,
            "logo": company_logo(company),
        },
        "recipient": {"name": customer.name, "lines": recipient_lines(customer)},
        "attention": _attention(customer),
        "customer": customer,
        "place": company.city,
        "date": format_date(today, _DATE_FORMATS[language][1]),
        "today": today,
    }


def company_logo(company) -> str:
    """The letterhead logo as a file URL WeasyPrint reads, or "" for none.

    Hook: the Company model has no logo field yet. Once a file field named `logo` is added
    (a ledger migration), it is picked up here with no other change to the letters."""
    logo = getattr(company, "logo", None)
    if not logo:
        return ""
    try:
        return Path(logo.path).as_uri()
    except (ValueError, NotImplementedError):
        return ""


def _lines(party) -> list[str]:
    town = " ".join(part for part in (party.postal_code, party.city) if part)
    lines = [line for line in (party.address, town) if line]
    # La Poste: for abroad, the country in capitals on the last line.
    if getattr(party, "country", "FR") not in ("", "FR"):
        lines.append(party.country.upper())
    return lines


def recipient_lines(customer: Customer) -> list[str]:
    """The customer's postal address, else its billing (or any) contact's."""
    if customer.address or customer.city:
        return _lines(customer)
    for contact in sorted(customer.contacts.all(), key=lambda c: (c.role != "billing", c.pk)):
        if contact.address or contact.city:
            return _lines(contact)
    return []


def _attention(customer: Customer) -> str:
    order = {"billing": 0, "accounting": 1}
    contacts = sorted(customer.contacts.all(), key=lambda c: (order.get(c.role, 2), c.pk))
    return contacts[0].name if contacts and contacts[0].name else ""


def _reference(number: str) -> str:
    try:
        return creditor_reference(number)
    except ValueError:
        return ""


def _language(language: str) -> str:
    return "en" if (language or "").lower().startswith("en") else "fr"
