"""The company's side of the debtors' pages, under /c/<code>/ like every company page: the
block of the customer file (links, what the debtor did, revoking the links), one debtor
action with its attachments, the decision on a payment-plan request, the company's rules.

Scoped and authorized by relance.web.views.base.CompanyView; a plan request is decided by a
manager or an admin only (it commits the company to a schedule).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Min, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.team.access import Action
from relance.team.models import Role
from relance.web.views.base import CompanyView, FormView

from .. import links, services, uploads
from ..forms import AcceptPlanForm, PolicyForm, RefusePlanForm
from ..models import AccessToken, DebtorAction, PlanRequest, Upload

DECIDERS = frozenset({Role.ADMIN, Role.MANAGER})
RECENT = 20


class PortalView(CompanyView):
    def actions(self):
        return DebtorAction.objects.filter(
            company=self.company, customer__in=self.customers()
        ).select_related("customer", "plan_request", "dispute__invoice", "claim")

    def may_decide(self) -> bool:
        return self.membership.role in DECIDERS and self.can(Action.DUN)


class CustomerPortalView(PortalView):
    """The customer file's block (loaded by HTMX): the links sent, what the debtor did."""

    def get(self, request, pk):
        customer = self.get_customer(pk)
        now = timezone.now()
        live = Q(revoked_at__isnull=True, expires_at__gt=now)
        tokens = AccessToken.objects.filter(customer=customer).aggregate(
            live=Count("pk", filter=live),
            expires_at=Max("expires_at", filter=live),
            last_used_at=Max("last_used_at"),
            first_sent_at=Min("created_at"),
        )
        context = {
            "customer": customer,
            "tokens": tokens,
            "actions": self.actions()
            .filter(customer=customer)
            .prefetch_related("uploads")[:RECENT],
            "can_dun": self.can(Action.DUN),
        }
        return render(request, "portal/customer_block.html", context)


class RevokeLinksView(PortalView):
    """Every live link of the customer stops working (a link forwarded to the wrong person,
    a customer handed over); the next reminder brings a new one."""

    action = Action.DUN

    def post(self, request, pk):
        customer = self.get_customer(pk)
        count = links.revoke_links(customer, request.user)
        messages.success(request, _("%(count)s lien(s) révoqué(s).") % {"count": count})
        return redirect("customer_detail", code=self.company.code, pk=customer.pk)


class DebtorActionView(PortalView):
    """One thing the debtor did, its files, and (a plan request) the decision; POST: dealt
    with, off the agenda."""

    write_action = Action.DUN

    def get(self, request, pk):
        action = get_object_or_404(self.actions().prefetch_related("uploads"), pk=pk)
        return render(request, "portal/action.html", self.context(action))

    def context(self, action, **forms) -> dict:
        request = action.plan_request
        deciding = request is not None and request.status == PlanRequest.Status.REQUESTED
        return {
            "action": action,
            "customer": action.customer,
            "invoices": request.invoices.order_by("due_on") if request else [],
            "may_decide": deciding and self.may_decide(),
            "accept_form": forms.get("accept") or AcceptPlanForm(),
            "refuse_form": forms.get("refuse") or RefusePlanForm(),
            "can_dun": self.can(Action.DUN),
        }

    def post(self, request, pk):
        action = get_object_or_404(self.actions(), pk=pk)
        try:
            services.mark_handled(action, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Traité."))
        return redirect("portal_action", code=self.company.code, pk=action.pk)


class PlanDecisionView(DebtorActionView):
    """A manager accepts (the plan is agreed, relance.plans) or refuses (with the reason
    mailed to the debtor) a payment-plan request."""

    action = Action.DUN
    http_method_names = ["post"]
    accept = True

    def post(self, request, pk):
        if not self.may_decide():
            raise PermissionDenied
        action = get_object_or_404(
            self.actions().filter(plan_request__isnull=False), plan_request_id=pk
        )
        form = (AcceptPlanForm if self.accept else RefusePlanForm)(request.POST)
        if form.is_valid():
            try:
                self.decide(action.plan_request, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("portal_action", code=self.company.code, pk=action.pk)
        forms = {"accept" if self.accept else "refuse": form}
        return render(request, "portal/action.html", self.context(action, **forms), status=400)

    def decide(self, request: PlanRequest, data: dict) -> None:
        if self.accept:
            services.accept_plan_request(request, self.request.user, data["first_on"], self.today)
            text = _("Échéancier accordé : le client le reçoit par e-mail.")
        else:
            services.refuse_plan_request(request, self.request.user, data["note"])
            text = _("Demande refusée : le client reçoit le motif par e-mail.")
        messages.success(self.request, text)


class UploadView(PortalView):
    """A file a debtor attached, for the company's members who see the customer."""

    def get(self, request, pk):
        actions = self.actions().values_list("pk", flat=True)
        upload = get_object_or_404(Upload.objects.filter(action_id__in=actions), pk=pk)
        path = uploads.stored(upload)
        if not path.is_file():
            raise Http404
        # Downloaded, never shown inline: a file from outside is not rendered on our origin.
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=upload.name,
            content_type=upload.content_type,
        )


class PolicyView(FormView):
    """What the company lets its debtors do: administrators edit, other members read."""

    write_action = Action.MANAGE_COMPANY
    template_name = "portal/policy.html"

    def get(self, request):
        form = PolicyForm(instance=services.policy_for(self.company))
        if not self.can(Action.MANAGE_COMPANY):
            for field in form.fields.values():
                field.disabled = True
        can_edit = self.can(Action.MANAGE_COMPANY)
        return self.render_form(form, title=_("Espace client"), can_edit=can_edit)

    def post(self, request):
        form = PolicyForm(request.POST, instance=services.policy_for(self.company))
        return self.save_or_render(
            form,
            lambda form: services.save_policy(self.company, **form.cleaned_data),
            lambda saved: reverse("portal_policy", kwargs={"code": self.company.code}),
            title=_("Espace client"),
            can_edit=True,
        )
