"""The one place where web views are scoped to a company and authorized.

Every page under /c/<code>/ is a `CompanyView`: it resolves the user's membership of the
company (404 when there is none, whether the company exists or not), checks the role against
`action` for reads and `write_action` for POST (403), and reaches customers and their records
only through `visible_customers`, so a collector cannot open a customer outside their
portfolio by guessing a URL (404).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from relance.ledger.models import Contact, Customer, Invoice, Payment
from relance.team.access import PORTFOLIO_FIELD, Action, can, membership_for, visible_customers
from relance.team.models import Role


class CompanyView(View):
    """Base class of every company-scoped page; sets `request.membership` and `self.company`."""

    action = Action.VIEW
    write_action: Action | None = None  # defaults to `action`

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_for(request.user, kwargs.pop("code"))
        if membership is None:
            raise Http404
        request.membership = self.membership = membership
        self.company = membership.company
        if not can(membership, self.required_action(request)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def required_action(self, request) -> Action:
        if request.method in ("GET", "HEAD"):
            return self.action
        return self.write_action or self.action

    def can(self, action: Action) -> bool:
        return can(self.membership, action)

    @property
    def today(self) -> date:
        """Today in the company's time zone: the date business rules compare to."""
        return timezone.localdate(timezone=ZoneInfo(self.company.time_zone))

    def customers(self) -> QuerySet[Customer]:
        return visible_customers(self.membership)

    def get_customer(self, pk) -> Customer:
        return get_object_or_404(self.customers(), pk=pk)

    def scoped(self, queryset: QuerySet) -> QuerySet:
        """Records hanging off a customer (invoices, payments, contacts) that the member sees."""
        field = PORTFOLIO_FIELD.get(Role(self.membership.role))
        company_field = "customer__company" if queryset.model is Contact else "company"
        queryset = queryset.filter(**{company_field: self.company})
        if field:
            queryset = queryset.filter(**{f"customer__{field}": self.membership.user})
        return queryset

    def invoices(self) -> QuerySet[Invoice]:
        return self.scoped(Invoice.objects.all())

    def payments(self) -> QuerySet[Payment]:
        return self.scoped(Payment.objects.all())

    def contacts(self) -> QuerySet[Contact]:
        return self.scoped(Contact.objects.all())


class FormView(CompanyView):
    """GET shows the form, POST validates it and calls `save`; model errors go to the form."""

    template_name = "web/form.html"
    title = ""

    def render_form(self, form, **extra):
        return render(
            self.request, self.template_name, {"form": form, "title": self.title, **extra}
        )

    def save_or_render(self, form, save, success_url, **extra):
        """`save(form)` calls the service; `success_url(saved)` says where to go next."""
        if form.is_valid():
            try:
                saved = save(form)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(self.request, _("Enregistré."))
                return redirect(success_url(saved))
        return self.render_form(form, **extra)
