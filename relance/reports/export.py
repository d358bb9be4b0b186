"""The dashboard's tables as an Excel workbook (openpyxl): one sheet per table."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _

from relance.ledger.models import Company

from .labels import (
    aging_rows,
    collection_rows,
    cost_rows,
    evolution_columns,
    evolution_rows,
    kpi_rows,
    step_label,
)
from .services import Dashboard

MONEY_FORMAT = "#,##0.00"


def dashboard_workbook(company: Company, board: Dashboard) -> bytes:
    # openpyxl is imported here: only exports pay for it.
    from openpyxl import Workbook

    book = Workbook()
    _summary(book.active, company, board)
    aging = book.create_sheet(_("Balance âgée"))
    _rows(aging, [(_("Tranche"), _("Montant"), _("Part (%)")), *aging_rows(board.kpis)])
    debtors = book.create_sheet(_("Principaux débiteurs"))
    _rows(debtors, [(_("Code client"), _("Client"), _("Encours"), _("Échu"))] + [
        (d.customer.code, d.customer.name, d.balance, d.overdue) for d in board.debtors
    ])  # fmt: skip
    _evolution(book.create_sheet(_("Évolution")), board, company)
    steps = book.create_sheet(_("Recouvré par étape"))
    _rows(steps, [(_("Étape"), _("Montant")), *(
        (step_label(step), step.amount) for step in board.now.recovery.steps
    ), (_("Encaissé dans le mois"), board.now.recovery.collected)])  # fmt: skip
    cost = book.create_sheet(_("Coût du recouvrement"))
    _rows(cost, [(_("Canal"), _("Nombre"), _("Coût unitaire"), _("Coût")),
                 *cost_rows(board.now, board.unit_costs),
                 (_("Total"), board.now.activity.invoices, None, board.now.cost)])  # fmt: skip
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(summary, company: Company, board: Dashboard) -> None:
    kpis = board.kpis
    summary.title = _("Synthèse")
    _rows(summary, [(_("Société"), company.name), (_("Situation au"), kpis.as_of),
                    (_("Devise"), board.currency)])  # fmt: skip
    _rows(summary, [
        (_("Encours"), kpis.aging.outstanding), (_("Échu"), kpis.aging.overdue),
        (_("Non échu"), kpis.aging.not_due), (_("Part échue (%)"), board.share_overdue),
        (_("Montant en litige"), board.disputed), (_("Montant sous promesse"), board.promised),
        (_("Montant en échéancier"), board.in_plans),
        (_("Transmis au contentieux"), board.handed_over),
    ])  # fmt: skip
    _rows(summary, [(f"{row.label} ({row.unit})", row.value, row.definition)
                    for row in kpi_rows(kpis)])  # fmt: skip
    units = {"%": "%", "money": board.currency, "cost": company.currency}
    _rows(summary, [(f"{row.label} ({units[row.unit]})", row.value, row.definition)
                    for row in collection_rows(board.now)])  # fmt: skip


def _evolution(sheet, board: Dashboard, company: Company) -> None:
    columns = evolution_columns()
    units = {"money": board.currency, "cost": company.currency}
    header = [_("Date")] + [f"{label} ({units.get(unit, unit)})" for _k, label, unit in columns]
    rows = [
        [row["as_of"], *(row[key] for key, _label, _unit in columns)]
        for row in evolution_rows(board.evolution)
    ]
    _rows(sheet, [header, *rows])


def _rows(sheet, rows) -> None:
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = MONEY_FORMAT
    sheet.append([])
