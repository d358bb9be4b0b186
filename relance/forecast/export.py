"""The cash-in calendar as an Excel workbook: the calendar table, then every expected amount
with its customer, item, date, range and source."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _

from relance.ledger.models import Company, Customer, Invoice

# The dashboard export's row writer (amounts as numbers with the money format).
from relance.reports.export import _rows as write_rows

from .labels import row_label, source_label
from .queries import CashIn


def calendar_workbook(company: Company, cash: CashIn) -> bytes:
    # openpyxl is imported here: only exports pay for it.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Calendrier")
    write_rows(sheet, [(_("Société"), company.name), (_("Au"), cash.today),
                       (_("Devise"), cash.currency), (_("Modèle"), _model_text(cash))])  # fmt: skip
    write_rows(
        sheet, [_calendar_header(), *(_calendar_line(row, cash.period) for row in cash.rows)]
    )
    detail = book.create_sheet(_("Détail"))
    write_rows(detail, [_detail_header(), *_detail_lines(cash)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _model_text(cash: CashIn) -> str:
    model = cash.model
    if model is None:
        return _("aucun : chaque pièce à son échéance")
    return f"v{model.version} — {model.get_method_display()} — {model.trained_on.isoformat()}"


def _calendar_header() -> tuple:
    return (
        _("Période"), _("Du"), _("Au"), _("Attendu"), _("À l'échéance"), _("Cumul attendu"),
        _("Cumul au plus bas"), _("Cumul au plus haut"), _("Cumul à l'échéance"),
    )  # fmt: skip


def _calendar_line(row, period) -> tuple:
    return (
        str(row_label(row, period)), row.start, row.end, row.expected, row.naive, row.cumulative,
        row.low, row.high, row.cumulative_naive,
    )  # fmt: skip


def _detail_header() -> tuple:
    return (
        _("Code client"), _("Client"), _("Pièce"), _("Échéance"), _("Montant attendu"),
        _("Attendu le"), _("Au plus tôt"), _("Au plus tard"), _("Origine"),
    )  # fmt: skip


def _detail_lines(cash: CashIn):
    """One read of the customers and items named, then one line per expected amount."""
    customers = Customer.objects.in_bulk({e.customer_id for e in cash.expected})
    items = Invoice.objects.in_bulk({e.item_id for e in cash.expected if e.item_id})
    for entry in sorted(cash.expected, key=lambda e: (e.on is None, e.on, e.customer_id)):
        customer = customers[entry.customer_id]
        item = items.get(entry.item_id) if entry.item_id else None
        yield (
            customer.code, customer.name, item.number if item else "",
            item.due_on if item else None, entry.amount, entry.on, entry.low_on, entry.high_on,
            str(source_label(entry.source)),
        )  # fmt: skip
