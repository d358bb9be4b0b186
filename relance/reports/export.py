"""The dashboard's tables as an Excel workbook (openpyxl): one sheet per table."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _

from relance.ledger.models import Company

from .labels import aging_rows, kpi_rows
from .services import Dashboard

MONEY_FORMAT = "#,##0.00"


def dashboard_workbook(company: Company, board: Dashboard) -> bytes:
    # openpyxl is imported here: only exports pay for it.
    from openpyxl import Workbook

    book = Workbook()
    kpis = board.kpis
    summary = book.active
    summary.title = _("Synthèse")
    _rows(summary, [(_("Société"), company.name), (_("Situation au"), kpis.as_of),
                    (_("Devise"), board.currency)])  # fmt: skip
    _rows(summary, [
        (_("Encours"), kpis.aging.outstanding), (_("Échu"), kpis.aging.overdue),
        (_("Non échu"), kpis.aging.not_due), (_("Part échue (%)"), board.share_overdue),
        (_("Montant en litige"), board.disputed), (_("Montant sous promesse"), board.promised),
        (_("Transmis au contentieux"), board.handed_over),
    ])  # fmt: skip
    _rows(summary, [(f"{row.label} ({row.unit})", row.value, row.definition)
                    for row in kpi_rows(kpis)])  # fmt: skip
    aging = book.create_sheet(_("Balance âgée"))
    _rows(aging, [(_("Tranche"), _("Montant"), _("Part (%)")), *aging_rows(kpis)])
    debtors = book.create_sheet(_("Principaux débiteurs"))
    _rows(debtors, [(_("Code client"), _("Client"), _("Encours"), _("Échu"))] + [
        (d.customer.code, d.customer.name, d.balance, d.overdue) for d in board.debtors
    ])  # fmt: skip
    evolution = book.create_sheet(_("Évolution"))
    _rows(evolution, [(_("Date"), _("Encours"), _("Échu"), _("DSO simple (j)"))] + [
        (p.as_of, p.outstanding, p.overdue, p.dso_simple) for p in board.evolution
    ])  # fmt: skip
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(sheet, rows) -> None:
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = MONEY_FORMAT
    sheet.append([])
