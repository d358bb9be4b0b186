"""The scoring pages: customers by risk score with their factors (and its Excel export), the
score block of the customer file, the decisions on suggested profiles, the "seen" of an
alert, and computing the scores now.

They live with their app, like relance.evidence.views; relance/web/urls.py routes to them.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.core.scoring import BANDS
from relance.team.access import Action, can
from relance.web.forms import PAYER_PROFILES
from relance.web.views.base import CompanyView

from . import export, queries, services
from .labels import alert_label, band_label, factor_rows, raised_on, rule_label
from .models import RiskAlert, Score, ScoringRun

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ScoringFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Recherche"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("Code ou nom"), "type": "search"}
        ),
    )
    band = forms.ChoiceField(
        label=gettext_lazy("Risque"),
        required=False,
        choices=[
            ("", gettext_lazy("Tous")),
            ("high", gettext_lazy("Risque élevé (moins de 40)")),
            ("medium", gettext_lazy("Risque modéré (40 à 69)")),
            ("low", gettext_lazy("Risque faible (70 et plus)")),
            ("none", gettext_lazy("Sans score")),
        ],
    )
    payer_profile = forms.ChoiceField(
        label=gettext_lazy("Profil payeur"),
        required=False,
        choices=[("", gettext_lazy("Tous les profils")), *PAYER_PROFILES],
    )
    pending = forms.BooleanField(label=gettext_lazy("Suggestions à examiner"), required=False)


class ScoringListView(CompanyView):
    """Every member sees the scores of the customers they see (collectors and sales reps their
    portfolio), the riskiest first; `?format=xlsx` exports the whole filtered list."""

    def get(self, request):
        form = ScoringFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        customers = queries.scored_customers(self.customers(), filters)
        if request.GET.get("format") == "xlsx":
            content = export.scores_workbook(self.company, customers, self.today)
            response = HttpResponse(content, content_type=XLSX)
            name = f"scores-{self.company.code}-{self.today.isoformat()}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
        scores = Score.objects.in_bulk([c.score_id for c in page if c.score_id])
        context = {
            "form": form,
            "page": page,
            "rows": [_row(customer, scores.get(customer.score_id)) for customer in page],
            "last_run": ScoringRun.objects.filter(company=self.company).first(),
            "can_compute": self.can(Action.MANAGE_SCENARIOS),
            "bands": BANDS,
        }
        return render(request, "scoring/scoring_list.html", context)


def _row(customer, score: Score | None) -> dict:
    pending = customer.suggested and customer.suggested != customer.payer_profile
    return {
        "customer": customer,
        "score": score,
        "band": score and band_label(score.score),
        "factors": factor_rows(score) if score else [],
        "pending": pending and not customer.rejected,
        "rule": score and rule_label(score.rule),
    }


class ScoringComputeView(CompanyView):
    """POST: compute the company's scores now (the worker does it every day after the run)."""

    action = Action.MANAGE_SCENARIOS

    def post(self, request):
        summary = services.compute_scores(self.company, self.today)
        messages.success(
            request,
            _("Scores calculés : %(customers)s clients, %(alerts)s nouvelles alertes.")
            % {"customers": summary.customers, "alerts": sum(summary.alerts.values())},
        )
        return redirect("scoring", code=self.company.code)


class ProfileSuggestionView(CompanyView):
    """POST decision=accept|reject, profile=<the suggestion shown>: managers and admins
    decide; accepting changes the customer's payer profile, hence its scenario."""

    action = Action.MANAGE_SCENARIOS

    def post(self, request, pk):
        customer = self.get_customer(pk)
        decision = request.POST.get("decision")
        if decision not in ("accept", "reject"):
            messages.error(request, _("Décision inconnue : acceptez ou refusez la suggestion."))
            return self.back(customer)
        try:
            services.decide_suggestion(
                customer,
                request.user,
                request.POST.get("profile", ""),
                accept=decision == "accept",
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Profil payeur modifié.") if decision == "accept" else _("Suggestion refusée."),
            )
        return self.back(customer)

    def back(self, customer):
        target = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return redirect(target)
        return redirect("customer_detail", code=self.company.code, pk=customer.pk)


class RiskAlertSeenView(CompanyView):
    """POST: the alert leaves the agenda (who and when are kept). Those who dun the customer."""

    action = Action.DUN

    def post(self, request, pk):
        alerts = RiskAlert.objects.filter(company=self.company, customer__in=self.customers())
        alert = get_object_or_404(alerts, pk=pk)
        services.mark_alert_seen(alert, request.user)
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("agenda", code=self.company.code)


def customer_risk_context(membership, customer) -> dict:
    """The score block of the customer file (scoring/_customer_risk.html): the score in
    force and its factors, the pending suggestion, open alerts, the last changes."""
    history = list(customer.scores.order_by("-computed_on")[:6])
    latest = history[0] if history else None
    alerts = list(customer.risk_alerts.filter(seen_at__isnull=True)[:10])
    return {
        "risk": {
            "score": latest,
            "band": latest and band_label(latest.score),
            "factors": factor_rows(latest) if latest else [],
            "rule": latest and rule_label(latest.rule),
            "pending": services.pending_suggestion(customer, latest),
            "history": history,
            "alerts": [(a, alert_label(a), raised_on(a)) for a in alerts],
            "decisions": list(customer.profile_decisions.select_related("decided_by")[:3]),
            "can_decide": can(membership, Action.MANAGE_SCENARIOS),
            "can_ack": can(membership, Action.DUN),
            "own_scenario": customer.scenario_id is not None,
            "here": reverse(
                "customer_detail", kwargs={"code": membership.company.code, "pk": customer.pk}
            ),
        }
    }
