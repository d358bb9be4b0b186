"""Payment plan pages of the customer file: agree a plan, see its instalments, cancel it,
print the agreement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.core import plans as core
from relance.plans import services
from relance.plans.convert import states
from relance.plans.forms import CancelPlanForm, PaymentPlanForm
from relance.plans.models import PaymentPlan
from relance.team.access import Action

from .base import CompanyView, FormView
from .dunning import _customer_url

STATUS_LABELS = {
    core.InstalmentStatus.PAID: gettext_lazy("réglée"),
    core.InstalmentStatus.UPCOMING: gettext_lazy("à venir"),
    core.InstalmentStatus.DUE: gettext_lazy("échue, à régler"),
    core.InstalmentStatus.OVERDUE: gettext_lazy("impayée"),
}


@dataclass(frozen=True)
class InstalmentRow:
    number: int
    due_on: date
    amount: Decimal
    left: Decimal
    status: core.InstalmentStatus

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def plan_rows(plan: PaymentPlan, today: date) -> tuple[Decimal, list[InstalmentRow]]:
    """What the plan's invoices received since it was agreed, and each instalment's state."""
    (state,) = states([(plan.pk, plan.customer_id, plan.currency, plan.covered_amount)])
    paid = core.paid_amount(state.covered, state.open_amount)
    rows = [
        InstalmentRow(i.number, i.due_on, i.amount, left, status)
        for i, left, status in zip(
            state.instalments,
            core.remaining(state.instalments, paid),
            core.statuses(state.instalments, paid, today),
            strict=True,
        )
    ]
    return paid, rows


class PlanView(CompanyView):
    def plans(self):
        return PaymentPlan.objects.filter(
            company=self.company, customer__in=self.customers()
        ).select_related("customer", "company", "created_by")

    def plan_context(self, pk) -> dict:
        plan = get_object_or_404(self.plans(), pk=pk)
        paid, rows = plan_rows(plan, self.today)
        return {
            "plan": plan,
            "customer": plan.customer,
            "invoices": plan.invoices.order_by("due_on", "number"),
            "paid": paid,
            "instalments": rows,
            "grace_days": core.GRACE_DAYS,
            "today": self.today,
        }


class PaymentPlanCreateView(FormView):
    action = Action.DUN
    title = gettext_lazy("Nouvel échéancier")

    def get(self, request, pk):
        customer = self.get_customer(pk)
        form = PaymentPlanForm(customer=customer, initial={"agreed_on": self.today})
        return self.render_form(form, cancel=customer)

    def post(self, request, pk):
        customer = self.get_customer(pk)
        form = PaymentPlanForm(request.POST, customer=customer)
        return self.save_or_render(
            form,
            lambda form: services.agree_plan(
                customer,
                request.user,
                form.cleaned_data["invoices"],
                form.cleaned_data["agreed_on"],
                count=form.cleaned_data["count"],
                first_on=form.cleaned_data["first_on"],
                schedule=form.cleaned_data["schedule"],
                notes=form.cleaned_data["notes"],
            ),
            lambda plan: reverse("plan_detail", args=[self.company.code, plan.pk]),
            cancel=customer,
        )


class PaymentPlanDetailView(PlanView):
    def get(self, request, pk):
        context = self.plan_context(pk)
        context.update(can_dun=self.can(Action.DUN), cancel_form=CancelPlanForm())
        return render(request, "web/plan_detail.html", context)


class PaymentPlanAgreementView(PlanView):
    """The agreement to print and have signed (HTML styled for print)."""

    def get(self, request, pk):
        return render(request, "web/plan_agreement.html", self.plan_context(pk))


class PaymentPlanCancelView(PlanView):
    action = Action.DUN

    def post(self, request, pk):
        plan = get_object_or_404(self.plans(), pk=pk)
        form = CancelPlanForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            services.cancel_plan(plan, request.user, self.today, note)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Échéancier annulé : les relances reprennent."))
        return redirect(_customer_url(plan.customer))
