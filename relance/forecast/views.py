"""The cash-in calendar page (/c/<code>/forecast/): what the open items are expected to bring
in by day, week or month, next to "everything paid on its due date", in one currency.

Every member reads it; collectors and sales reps see their portfolio. `?format=xlsx` exports
the table and the detail to Excel.
"""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from relance.core.forecast_calendar import Period
from relance.reports.queries import currencies_of
from relance.team.access import PORTFOLIO_FIELD
from relance.team.models import Role
from relance.web.views.base import CompanyView
from relance.web.views.dashboard import XLSX

from . import export, queries
from .labels import PERIOD_LABELS, chart_data, row_label, source_label


class CashInFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Par"), required=False, choices=[(p.value, PERIOD_LABELS[p]) for p in Period]
    )
    currency = forms.ChoiceField(label=_("Devise"), required=False)

    def __init__(self, data, *, currencies: list[str]):
        if data is not None and not data.get("period"):
            data = data.copy()
            data["period"] = Period.WEEK.value
        super().__init__(data, initial={"period": Period.WEEK.value})
        self.fields["currency"].choices = [(code, code) for code in currencies]


class CashInView(CompanyView):
    def get(self, request):
        currencies = currencies_of(self.company)
        form = CashInFilterForm(request.GET or None, currencies=currencies)
        filters = form.cleaned_data if form.is_valid() else {}
        period = Period(filters.get("period") or Period.WEEK)
        cash = queries.cash_in(
            self.company, self.today, filters.get("currency") or currencies[0], period,
            self.portfolio(),
        )  # fmt: skip
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(export.calendar_workbook(self.company, cash), XLSX)
            name = f"encaissements-{self.company.code}-{self.today.isoformat()}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return render(
            request,
            "forecast/calendar.html",
            {
                "form": form,
                "cash": cash,
                "rows": [(row_label(row, period), row) for row in cash.rows],
                "sources": [(source_label(s), amount) for s, amount in cash.totals.items()],
                "chart_data": chart_data(cash),
                "is_portfolio": self.portfolio() is not None,
            },
        )

    def portfolio(self):
        """None for the whole company, as on the dashboard."""
        if Role(self.membership.role) in PORTFOLIO_FIELD:
            return self.customers()
        return None
