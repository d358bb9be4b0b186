"""The debtor's page, reached without a login through the link of a reminder.

Every request under /p/<token>/ goes through `DebtorView.dispatch`: the address's rate limit
first (429), then the token (relance.portal.links.find). A wrong, expired or revoked token
all get the same neutral page with the same status (404), after the same work (one query by
hash), so the answer says nothing of whether a customer exists. The page is then in the
customer's language, whatever the browser says, and never cached.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View

from relance.dunning.services import local_today
from relance.ledger.models import Invoice
from relance.ledger.services import position_of

from .. import links, payments, ratelimit, services
from ..forms import ClaimForm, DisputeForm, PayForm, PlanForm, PromiseForm
from ..models import DebtorAction
from ..providers import PaymentUnavailable, provider
from ..transfer import details_for

FORMS = {"promise": PromiseForm, "claim": ClaimForm, "dispute": DisputeForm, "plan": PlanForm}
RECENT = 10  # the debtor's own latest actions shown on the page


def neutral(request, status: int = 404) -> HttpResponse:
    """The one page every wrong, expired, revoked or refused link gets: it names nobody."""
    response = render(request, "portal/neutral.html", status=status)
    add_never_cache_headers(response)
    return response


class DebtorView(View):
    """Base of every page a link opens; sets `token`, `customer`, `company`, `today`."""

    def dispatch(self, request, token: str, *args, **kwargs):
        ip = ratelimit.client_ip(request)
        if ratelimit.is_limited(ip):
            return neutral(request, status=429)
        found = links.find(token)
        if found is None:
            ratelimit.note_failure(ip)
            return neutral(request)
        self.raw_token, self.token = token, found
        self.customer, self.company = found.customer, found.customer.company
        self.today = local_today(self.company)
        self.policy = services.policy_for(self.company)
        language = "en" if self.customer.language.startswith("en") else "fr"
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)
        return response

    def form(self, name: str, data=None, files=None):
        return FORMS[name](
            data, files, customer=self.customer, today=self.today, policy=self.policy
        )

    def page_url(self, anchor: str = "") -> str:
        url = reverse("portal_page", kwargs={"token": self.raw_token})
        return f"{url}#{anchor}" if anchor else url


class PageView(DebtorView):
    """What is due, the documents, how to pay, and the four actions."""

    def get(self, request):
        links.note_visit(self.token)
        return self.render_page(request)

    def render_page(self, request, bound=None, status: int = 200):
        items = list(services.open_items(self.customer))
        selected = _selected(items, request.GET.getlist("items"))
        to_pay = services.amount_to_pay(self.customer, selected, self.today)
        forms = {name: self.form(name) for name in FORMS}
        if bound is not None:
            forms[bound.prefix] = bound
        context = {
            "token": self.raw_token,
            "customer": self.customer,
            "company": self.company,
            "collector": self.customer.collector,
            "position": position_of(self.customer, self.today, self.company.currency),
            "credits": self.customer.invoices.filter(is_credit=True, open_amount__gt=0),
            "items": items,
            "selected": selected,
            "transfer": details_for(self.company, selected, _("Factures"), to_pay),
            "to_pay": to_pay,
            "credited": sum(item.open_amount for item in selected) - to_pay,
            "can_pay_online": provider() is not None and bool(settings.RELANCE_PUBLIC_URL),
            "forms": forms,
            "open_form": bound.prefix if bound is not None else "",
            "actions": DebtorAction.objects.filter(customer=self.customer)[:RECENT],
            "today": self.today,
            "policy": self.policy,
        }
        return render(request, "portal/page.html", context, status=status)


def _selected(items: list[Invoice], wanted: list[str]) -> list[Invoice]:
    """The invoices ticked for payment, else all of them."""
    ids = {int(value) for value in wanted if value.isdigit()}
    chosen = [item for item in items if item.pk in ids]
    return chosen or items


class ActionView(PageView):
    """POST of one of the four forms: the service, then the page with its acknowledgement;
    a refused form comes back with its errors, open where it was."""

    name = ""

    def post(self, request):
        form = self.form(self.name, request.POST, request.FILES)
        if form.is_valid():
            try:
                self.carry_out(form)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, self.acknowledgement())
                return redirect(self.page_url("messages"))
        return self.render_page(request, bound=form, status=400)

    def carry_out(self, form) -> DebtorAction:
        raise NotImplementedError

    def acknowledgement(self) -> str:
        return _("C'est noté : vous recevez une confirmation par e-mail.")


class PromiseView(ActionView):
    name = "promise"

    def carry_out(self, form):
        data = form.cleaned_data
        return services.promise_to_pay(
            self.token, form.invoices(), data["promised_on"], data["amount"], self.today
        )

    def acknowledgement(self) -> str:
        return _(
            "Merci : votre promesse de règlement est enregistrée. Nous ne vous relancerons "
            "pas d'ici là."
        )


class ClaimView(ActionView):
    name = "claim"

    def carry_out(self, form):
        data = form.cleaned_data
        return services.claim_payment(
            self.token, form.invoices(), data["paid_on"], data["amount"], data["files"], self.today
        )

    def acknowledgement(self) -> str:
        return _("Merci : nous recherchons votre paiement sur nos relevés bancaires.")


class DisputeView(ActionView):
    name = "dispute"

    def carry_out(self, form):
        data = form.cleaned_data
        return services.dispute_invoice(
            self.token,
            data["invoice"],
            data["reason"],
            data["description"],
            data["files"],
            self.today,
        )

    def acknowledgement(self) -> str:
        return _(
            "Votre contestation est enregistrée : la facture n'est plus relancée le temps "
            "que nous l'examinions."
        )


class PlanView(ActionView):
    name = "plan"

    def carry_out(self, form):
        data = form.cleaned_data
        return services.request_plan(
            self.token, form.invoices(), data["instalments"], data["note"], self.today
        )

    def acknowledgement(self) -> str:
        return _(
            "Votre demande d'échéancier est transmise : un responsable vous répondra par e-mail."
        )


class PayOnlineView(DebtorView):
    """The provider's payment page for the ticked invoices (303 there)."""

    def post(self, request):
        payer = provider()
        if payer is None or not settings.RELANCE_PUBLIC_URL:
            raise Http404
        form = PayForm(request.POST, customer=self.customer, today=self.today, policy=self.policy)
        if not form.is_valid():
            messages.error(request, _("Choisissez des factures à payer."))
            return redirect(self.page_url("payer"))
        try:
            url = payments.start_checkout(
                payer, self.token, form.invoices(), settings.RELANCE_PUBLIC_URL
            )
        except (PaymentUnavailable, ValidationError):
            messages.error(
                request,
                _(
                    "Le paiement en ligne n'est pas disponible pour le moment : vous pouvez "
                    "payer par virement."
                ),
            )
            return redirect(self.page_url("payer"))
        response = HttpResponse(status=303)  # see the provider's page, by GET
        response["Location"] = url
        return response


class InvoicePdfView(DebtorView):
    """The invoice as the ledger keeps it, else a summary of it with the transfer details."""

    def get(self, request, pk: int):
        invoice = get_object_or_404(self.customer.invoices, pk=pk)
        name = f"{_safe(invoice.number)}.pdf"
        if invoice.pdf:
            return FileResponse(
                invoice.pdf.open("rb"), filename=name, content_type="application/pdf"
            )
        from relance.letters.documents import invoice_copy_pdf

        return _pdf(invoice_copy_pdf(invoice, self.today), name)


class StatementPdfView(DebtorView):
    """The account statement ("relevé de compte") as of today."""

    def get(self, request):
        from relance.letters.documents import statement_pdf

        content = statement_pdf(self.customer, self.today, self.company.currency)
        return _pdf(content, f"releve-{_safe(self.customer.code)}-{self.today:%Y-%m-%d}.pdf")


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _safe(text: str) -> str:
    return "".join(char if char.isalnum() or char in "-_." else "-" for char in text)


class CheckoutReturnView(View):
    """Where the provider sends the debtor back: no token in its address, so it names
    nobody; the payment itself is recorded by the webhook."""

    paid = True

    def get(self, request):
        response = render(request, "portal/checkout_return.html", {"paid": self.paid})
        add_never_cache_headers(response)
        return response
