"""The dashboard: outstanding, aging, top debtors and KPIs as of a date, in one currency.

Managers (and every role without a portfolio) see the whole company; collectors and sales
reps see their portfolio. `?format=xlsx` exports every table of the page to Excel.
"""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from relance.reports import export, services
from relance.reports.labels import aging_rows, chart_data, kpi_rows
from relance.reports.queries import currencies_of
from relance.team.access import PORTFOLIO_FIELD
from relance.team.models import Role

from .banking import bank_freshness_context
from .base import CompanyView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DashboardFilterForm(forms.Form):
    as_of = forms.DateField(
        label=_("Situation au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    currency = forms.ChoiceField(label=_("Devise"), required=False)

    def __init__(self, data, *, currencies: list[str]):
        super().__init__(data)
        self.fields["currency"].choices = [(code, code) for code in currencies]


class DashboardView(CompanyView):
    def get(self, request):
        currencies = currencies_of(self.company)
        form = DashboardFilterForm(request.GET or None, currencies=currencies)
        filters = form.cleaned_data if form.is_valid() else {}
        as_of = filters.get("as_of") or self.today
        board = services.dashboard(
            self.company, as_of, filters.get("currency") or currencies[0], self.portfolio()
        )
        if request.GET.get("format") == "xlsx":
            return _xlsx(export.dashboard_workbook(self.company, board), self.company, as_of)
        return render(
            request,
            "web/dashboard.html",
            {
                "form": form,
                "board": board,
                "kpis": board.kpis,
                "kpi_rows": kpi_rows(board.kpis),
                "aging_rows": aging_rows(board.kpis),
                "chart_data": chart_data(board),
                "is_portfolio": self.portfolio() is not None,
                "is_past": as_of < self.today,
                **bank_freshness_context(self.company, self.today),
            },
        )

    def portfolio(self):
        """None for the whole company (no customer filter at all: the fastest reading)."""
        if Role(self.membership.role) in PORTFOLIO_FIELD:
            return self.customers()
        return None


def _xlsx(content: bytes, company, as_of) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    name = f"tableau-de-bord-{company.code}-{as_of.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
