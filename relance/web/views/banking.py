"""Bank statements and e-invoices: upload pages, statements and bank lines, bank freshness."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Q, QuerySet
from django.shortcuts import render

from relance.banking import services as banking
from relance.banking.models import BankLine, Statement
from relance.imports.report import RECORD_LABELS, ImportFileError
from relance.ledger.models import Company
from relance.team.access import Action

from ..forms import BankLineFilterForm, BankStatementUploadForm, EInvoiceUploadForm
from ..queries import paginate
from .base import CompanyView


def bank_freshness_context(company: Company, today: date) -> dict:
    """What `web/_bank_freshness.html` needs; add it to any page's context to include it."""
    return {"bank_freshness": banking.bank_freshness(company, today)}


class BankStatementListView(CompanyView):
    def get(self, request):
        statements = Statement.objects.filter(company=self.company).select_related("import_batch")
        return render(
            request,
            "web/bank_statements.html",
            {
                "page": paginate(statements, request.GET.get("page")),
                "can_import": self.can(Action.IMPORT),
                **bank_freshness_context(self.company, self.today),
            },
        )


class BankLineListView(CompanyView):
    def get(self, request):
        form = BankLineFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        lines = search_bank_lines(
            BankLine.objects.filter(company=self.company).select_related("statement"), filters
        )
        return render(
            request,
            "web/bank_lines.html",
            {"form": form, "page": paginate(lines, request.GET.get("page"))},
        )


def search_bank_lines(lines: QuerySet[BankLine], filters: dict) -> QuerySet[BankLine]:
    """`status`, `statement`, and `q`: words of the remittance, counterparty or references,
    or an amount ('1 200,50' finds +1200.50 and -1200.50)."""
    if filters.get("status"):
        lines = lines.filter(status=filters["status"])
    if filters.get("statement"):
        lines = lines.filter(statement_id=filters["statement"])
    text = (filters.get("q") or "").strip()
    if text:
        condition = (
            Q(remittance__icontains=text)
            | Q(counterparty_name__icontains=text)
            | Q(structured_reference__icontains=text)
            | Q(end_to_end_id__icontains=text)
            | Q(bank_reference__icontains=text)
        )
        amount = _amount(text)
        if amount is not None:
            condition |= Q(amount=amount) | Q(amount=-amount)
        lines = lines.filter(condition)
    return lines.order_by("-booked_on", "-pk")


def _amount(text: str) -> Decimal | None:
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return abs(amount) if amount.is_finite() else None


class BankUploadView(CompanyView):
    """Upload one statement file; the page shows what it created, or why it was refused."""

    action = Action.IMPORT

    def get(self, request):
        return self.render_page(BankStatementUploadForm())

    def post(self, request):
        form = BankStatementUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form)
        upload = form.cleaned_data["file"]
        try:
            report = banking.import_statement_file(
                self.company, upload.read(), request.user, file_name=upload.name
            )
        except ImportFileError as error:
            return self.render_page(form, error=str(error), file_name=upload.name)
        statements = Statement.objects.filter(company=self.company, import_batch=report.batch_id)
        return self.render_page(
            BankStatementUploadForm(),
            report=report,
            counts=_counts(report.as_json()),
            statements=statements,
            file_name=upload.name,
        )

    def render_page(self, form, **result):
        return render(self.request, "web/bank_upload.html", {"form": form, **result})


class EInvoiceUploadView(CompanyView):
    """Upload several e-invoices at once; one result per file."""

    action = Action.IMPORT

    def get(self, request):
        return render(request, "web/einvoice_upload.html", {"form": EInvoiceUploadForm()})

    def post(self, request):
        form = EInvoiceUploadForm(request.POST, request.FILES)
        results = []
        if form.is_valid():
            files = [(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
            results = banking.import_einvoices(self.company, files, request.user)
            form = EInvoiceUploadForm()
        return render(request, "web/einvoice_upload.html", {"form": form, "results": results})


def _counts(summary: dict) -> list[tuple[str, str, int]]:
    return [
        (outcome, str(RECORD_LABELS.get(kind, kind)), number)
        for outcome in ("created", "unchanged")
        for kind, number in summary[outcome].items()
    ]
