"""Home redirect and company settings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from relance.ledger import services
from relance.team.access import Action, companies_for, membership_for
from relance.team.models import Role

from ..forms import CompanyForm
from .base import FormView


@login_required
def home(request):
    """The user's first company: its agenda for a collector, its customers for the others;
    or a page saying they belong to none."""
    company = companies_for(request.user).first()
    if company is None:
        return render(request, "web/no_company.html")
    if membership_for(request.user, company.code).role == Role.COLLECTOR:
        return redirect("agenda", code=company.code)
    return redirect("customer_list", code=company.code)


class CompanySettingsView(FormView):
    """Administrators edit the settings; other members read them."""

    write_action = Action.MANAGE_COMPANY
    template_name = "web/company_settings.html"

    def form(self, data=None):
        return CompanyForm(
            data, instance=self.company, read_only=not self.can(Action.MANAGE_COMPANY)
        )

    def get(self, request):
        return self.render_form(
            self.form(),
            title=_("Paramètres de la société"),
            can_edit=self.can(Action.MANAGE_COMPANY),
        )

    def post(self, request):
        return self.save_or_render(
            self.form(request.POST),
            lambda form: services.update_company(self.company, **form.cleaned_data),
            lambda company: reverse("company_settings", kwargs={"code": company.code}),
            title=_("Paramètres de la société"),
            can_edit=True,
        )
