"""Pages: the member's API tokens ("Jetons d'API") and the company's webhooks (admins).

A token carries only its user's own rights (their role in each of their companies), so every
member, read-only included, manages their own tokens; nobody sees another's. The secret is
shown once, on the page that answers its creation, and never again.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from relance.team.access import Action
from relance.web.views.base import CompanyView

from . import services
from .forms import TokenForm, WebhookEndpointForm
from .models import ApiToken, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .tokens import create_token, revoke_token
from .webhooks.delivery import send_test

LOG_SIZE = 50


class TokenListView(CompanyView):
    write_action = Action.VIEW  # one's own tokens: every member

    def get(self, request):
        return self.page(TokenForm())

    def post(self, request):
        form = TokenForm(request.POST)
        secret = None
        if form.is_valid():
            try:
                token, secret = create_token(
                    request.user, form.cleaned_data["name"], expires_at=form.expires_at()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                form = TokenForm()
        return self.page(form, secret=secret)

    def page(self, form, secret=None):
        return render(
            self.request,
            "api/tokens.html",
            {
                "form": form,
                "secret": secret,
                "tokens": ApiToken.objects.filter(user=self.request.user),
                "api_root": self.request.build_absolute_uri("/api/v1/"),
            },
        )


class TokenRevokeView(CompanyView):
    write_action = Action.VIEW

    def post(self, request, pk):
        token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
        revoke_token(token)
        messages.success(request, _("Jeton « %(name)s » révoqué.") % {"name": token.name})
        return redirect("api_tokens", code=self.company.code)


class WebhookView(CompanyView):
    """Webhooks carry the company's data to other software: its administrators decide."""

    action = Action.MANAGE_COMPANY

    def endpoints(self):
        return WebhookEndpoint.objects.filter(company=self.company)

    def endpoint(self, pk) -> WebhookEndpoint:
        return get_object_or_404(self.endpoints(), pk=pk)


class WebhookListView(WebhookView):
    def get(self, request):
        return self.page(WebhookEndpointForm())

    def post(self, request):
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                endpoint = services.create_endpoint(
                    self.company,
                    request.user,
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Point de réception ajouté."))
                return redirect("webhook_detail", code=self.company.code, pk=endpoint.pk)
        return self.page(form)

    def page(self, form):
        return render(
            self.request,
            "api/webhooks.html",
            {"form": form, "endpoints": self.endpoints()},
        )


class WebhookDetailView(WebhookView):
    """The endpoint's settings and secret, its delivery log, the test button."""

    def get(self, request, pk):
        endpoint = self.endpoint(pk)
        initial = {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "is_active": endpoint.is_active,
        }
        return self.page(endpoint, WebhookEndpointForm(initial=initial))

    def post(self, request, pk):
        endpoint = self.endpoint(pk)
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                services.update_endpoint(endpoint, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Enregistré."))
                return redirect("webhook_detail", code=self.company.code, pk=endpoint.pk)
        return self.page(endpoint, form)

    def page(self, endpoint, form):
        deliveries = (
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .select_related("event")
            .prefetch_related(Prefetch("attempt_log", WebhookAttempt.objects.order_by("at", "pk")))
            .order_by("-pk")[:LOG_SIZE]
        )
        return render(
            self.request,
            "api/webhook_detail.html",
            {"endpoint": endpoint, "form": form, "deliveries": deliveries},
        )


class WebhookTestView(WebhookView):
    def post(self, request, pk):
        endpoint = self.endpoint(pk)
        delivery = send_test(endpoint, request.user)
        if delivery.status == WebhookDelivery.Status.DELIVERED:
            messages.success(
                request,
                _("Événement de test livré (HTTP %(code)s).") % {"code": delivery.last_status_code},
            )
        else:
            messages.error(
                request,
                _("Événement de test non livré : %(error)s") % {"error": delivery.last_error},
            )
        return redirect("webhook_detail", code=self.company.code, pk=endpoint.pk)


class WebhookSecretView(WebhookView):
    def post(self, request, pk):
        services.new_endpoint_secret(self.endpoint(pk))
        messages.success(request, _("Nouveau secret de signature : mettez à jour le récepteur."))
        return redirect("webhook_detail", code=self.company.code, pk=pk)


class WebhookDeleteView(WebhookView):
    def post(self, request, pk):
        services.delete_endpoint(self.endpoint(pk))
        messages.success(request, _("Point de réception supprimé."))
        return redirect("webhook_list", code=self.company.code)
