"""The dashboard: outstanding, aging, top debtors and KPIs as of a date, in one currency, with
their 12 months of evolution.

Managers (and every role without a portfolio) see the whole company; collectors and sales
reps see their portfolio. The filters (collector, sales rep, payer profile) only narrow what
the member sees: they are applied to `visible_customers`, never instead of it. The heavy
figures come from the cache until the ledger changes; after a change, when the new ones take
longer than RELANCE_REPORTS_WAIT seconds to compute, the page shows the latest ones with the
time they were computed and reloads itself (relance.reports.cache).
`?format=xlsx` exports every table of the page to Excel, with the same filters.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from relance.reports import export, services, weekly
from relance.reports.labels import (
    aging_rows,
    chart_data,
    chart_titles,
    collection_rows,
    cost_rows,
    evolution_columns,
    evolution_rows,
    kpi_rows,
    step_label,
)
from relance.team.access import PORTFOLIO_FIELD, Action, companies_for
from relance.team.models import Role

from ..forms import PAYER_PROFILES, members_of
from .banking import bank_freshness_context
from .base import CompanyView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DashboardFilterForm(forms.Form):
    as_of = forms.DateField(
        label=_("Situation au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    currency = forms.ChoiceField(label=_("Devise"), required=False)
    collector = forms.ModelChoiceField(
        label=_("Chargé de recouvrement"),
        required=False,
        queryset=None,
        empty_label=_("Tous les chargés"),
    )
    sales_rep = forms.ModelChoiceField(
        label=_("Commercial"), required=False, queryset=None, empty_label=_("Tous les commerciaux")
    )
    payer_profile = forms.ChoiceField(
        label=_("Profil payeur"),
        required=False,
        choices=[("", _("Tous les profils")), *PAYER_PROFILES],
    )

    def __init__(self, data, *, currencies: list[str], company, role: Role):
        super().__init__(data)
        self.fields["currency"].choices = [(code, code) for code in currencies]
        for name in ("collector", "sales_rep"):
            self.fields[name].queryset = members_of(company)
        # A portfolio is one person's: no filter on that person.
        if role in PORTFOLIO_FIELD:
            del self.fields[PORTFOLIO_FIELD[role]]

    def filters(self) -> dict:
        """The valid filters given (an invalid one is shown with its error and not applied)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class DashboardView(CompanyView):
    def get(self, request):
        role = Role(self.membership.role)
        currencies = services.cached_currencies(self.company)
        form = DashboardFilterForm(
            request.GET or None, currencies=currencies, company=self.company, role=role
        )
        filters = form.filters()
        as_of = filters.get("as_of") or self.today
        workbook = request.GET.get("format") == "xlsx"
        board = services.dashboard(
            self.company,
            as_of,
            filters.get("currency") or currencies[0],
            self.filtered_customers(filters),
            cache_scope=self.cache_scope(filters),
            # A page may show the latest figures while the current ones are computed (it says
            # so and reloads itself); a workbook is kept, so it waits for the current ones.
            wait=None if workbook else settings.RELANCE_REPORTS_WAIT,
        )
        if workbook:
            return _xlsx(export.dashboard_workbook(self.company, board), self.company, as_of)
        return render(request, "web/dashboard.html", self.context(form, board, as_of))

    def context(self, form, board, as_of) -> dict:
        return {
            "form": form,
            "board": board,
            "kpis": board.kpis,
            "kpi_rows": kpi_rows(board.kpis),
            "collection_rows": collection_rows(board.now),
            "aging_rows": aging_rows(board.kpis),
            "steps": [(step_label(step), step.amount) for step in board.now.recovery.steps],
            "cost_rows": cost_rows(board.now, board.unit_costs),
            "evolution_columns": evolution_columns(),
            "evolution_table": _evolution_table(board.evolution),
            "chart_titles": chart_titles(),
            "chart_data": chart_data(board),
            "is_portfolio": self.portfolio() is not None,
            "is_filtered": any(form.filters().get(n) for n in FILTERS),
            "is_past": as_of < self.today,
            "reload_seconds": RELOAD_SECONDS,
            "companies": companies_for(self.request.user),
            "report_form": self.report_form(),
            **bank_freshness_context(self.company, self.today),
        }

    def report_form(self):
        """Managers and administrators choose whether they receive the weekly report."""
        if not self.can(Action.RECEIVE_REPORTS):
            return None
        return WeeklyReportForm(instance=weekly.subscription_of(self.membership))

    def portfolio(self):
        """None for the whole company (no customer filter at all: the fastest reading)."""
        if Role(self.membership.role) in PORTFOLIO_FIELD:
            return self.customers()
        return None

    def filtered_customers(self, filters: dict):
        """The member's customers narrowed by the filters; None when that is the whole
        company."""
        chosen = {name: filters[name] for name in FILTERS if filters.get(name)}
        customers = self.portfolio()
        if not chosen:
            return customers
        return (customers if customers is not None else self.customers()).filter(**chosen)

    def cache_scope(self, filters: dict) -> tuple:
        """What the customers stand for, as a cache key: the portfolio is the member's."""
        role = Role(self.membership.role)
        whose = (role.value, self.request.user.pk) if role in PORTFOLIO_FIELD else ("all",)
        chosen = tuple(str(getattr(filters.get(n), "pk", filters.get(n) or "")) for n in FILTERS)
        return (*whose, *chosen)


FILTERS = ("collector", "sales_rep", "payer_profile")
RELOAD_SECONDS = 5  # a page showing the latest figures reloads itself until they are current


class WeeklyReportForm(forms.Form):
    weekly = forms.BooleanField(label=_("Recevoir le rapport hebdomadaire par e-mail"),
                                required=False)  # fmt: skip
    language = forms.ChoiceField(label=_("Langue du rapport"), choices=settings.LANGUAGES)

    def __init__(self, data=None, *, instance=None):
        initial = {"weekly": instance.weekly, "language": instance.language} if instance else None
        super().__init__(data, initial=initial)


class WeeklyReportView(CompanyView):
    """A manager's (or administrator's) choice about the weekly e-mail report (POST only)."""

    action = Action.RECEIVE_REPORTS

    def post(self, request):
        form = WeeklyReportForm(request.POST)
        if form.is_valid():
            weekly.subscribe(self.membership, **form.cleaned_data)
            messages.success(request, gettext("Rapport hebdomadaire : choix enregistré."))
        else:
            messages.error(request, gettext("Rapport hebdomadaire : langue inconnue."))
        return redirect("dashboard", code=self.company.code)


def _evolution_table(evolution) -> list[tuple]:
    """(day, [(value, unit), ...]) per month, in the columns' order."""
    columns = evolution_columns()
    return [
        (row["as_of"], [(row[key], unit) for key, _label, unit in columns])
        for row in evolution_rows(evolution)
    ]


def _xlsx(content: bytes, company, as_of) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    name = f"tableau-de-bord-{company.code}-{as_of.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
