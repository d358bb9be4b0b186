"""Invoices (and credit notes) and payments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from relance.ledger import services
from relance.ledger.models import Allocation
from relance.team.access import Action

from ..forms import InvoiceForm, PaymentForm
from ..queries import filter_invoices, paginate
from .base import CompanyView, FormView


def invoice_url(invoice) -> str:
    return reverse("invoice_detail", kwargs={"code": invoice.company.code, "pk": invoice.pk})


class InvoiceListView(CompanyView):
    def get(self, request):
        filters = {name: request.GET.get(name, "") for name in ("show", "customer", "q")}
        filters["show"] = filters["show"] or "open"
        page = paginate(
            filter_invoices(self.invoices(), filters, self.today), request.GET.get("page")
        )
        return render(
            request,
            "web/invoice_list.html",
            {
                "page": page,
                "filters": filters,
                "today": self.today,
                "can_edit": self.can(Action.EDIT_LEDGER),
            },
        )


class InvoiceDetailView(CompanyView):
    def get(self, request, pk):
        invoice = get_object_or_404(
            self.invoices().select_related("customer", "import_batch"), pk=pk
        )
        allocations = Allocation.objects.filter(invoice=invoice) | Allocation.objects.filter(
            credit_item=invoice
        )
        return render(
            request,
            "web/invoice_detail.html",
            {
                "invoice": invoice,
                "today": self.today,
                "allocations": allocations.select_related("payment", "credit_item", "invoice"),
                "can_edit": self.can(Action.EDIT_LEDGER),
            },
        )


class InvoiceCreateView(FormView):
    action = Action.EDIT_LEDGER

    def form(self, data=None):
        initial = {
            "customer": self.request.GET.get("customer", ""),
            "currency": self.company.currency,
            "issued_on": self.today,
        }
        return InvoiceForm(data, initial=initial, customers=self.customers(), company=self.company)

    def get(self, request):
        return self.render_form(self.form(), title=_("Nouvelle pièce"))

    def post(self, request):
        return self.save_or_render(
            self.form(request.POST), self.save, invoice_url, title=_("Nouvelle pièce")
        )

    def save(self, form):
        return services.record_invoice(self.company, form.cleaned_data["customer"], **form.values())


class InvoiceUpdateView(FormView):
    action = Action.EDIT_LEDGER

    def get(self, request, pk):
        invoice = get_object_or_404(self.invoices(), pk=pk)
        form = InvoiceForm(instance=invoice, customers=self.customers(), company=self.company)
        return self.render_form(form, title=invoice.number, cancel_url=invoice_url(invoice))

    def post(self, request, pk):
        invoice = get_object_or_404(self.invoices(), pk=pk)
        form = InvoiceForm(
            request.POST, instance=invoice, customers=self.customers(), company=self.company
        )
        return self.save_or_render(
            form,
            lambda form: self.save(invoice, form),
            invoice_url,
            title=invoice.number,
            cancel_url=invoice_url(invoice),
        )

    def save(self, invoice, form):
        try:
            return services.update_invoice(invoice, **form.values())
        except services.InvoiceLocked:
            raise ValidationError(
                _(
                    "Cette pièce est déjà lettrée : son montant, son type et sa "
                    "devise ne peuvent plus être modifiés."
                )
            ) from None


class PaymentListView(CompanyView):
    def get(self, request):
        payments = self.payments().select_related("customer").order_by("-received_on", "-pk")
        customer = request.GET.get("customer", "")
        if customer:
            payments = payments.filter(customer__code=customer)
        return render(
            request,
            "web/payment_list.html",
            {
                "page": paginate(payments, request.GET.get("page")),
                "customer": customer,
                "can_edit": self.can(Action.EDIT_LEDGER),
            },
        )


class PaymentCreateView(FormView):
    action = Action.EDIT_LEDGER
    template_name = "web/payment_form.html"

    def form(self, data=None):
        code = (data or self.request.GET).get("customer", "")
        open_items = (
            self.invoices()
            .filter(customer__code=code, open_amount__positive=True, is_credit=False)
            .order_by("due_on", "number")
        )
        initial = {"customer": code, "currency": self.company.currency, "received_on": self.today}
        return PaymentForm(data, initial=initial, customers=self.customers(), open_items=open_items)

    def get(self, request):
        return self.render_form(self.form(), title=_("Nouveau règlement"))

    def post(self, request):
        return self.save_or_render(
            self.form(request.POST), self.save, self.success_url, title=_("Nouveau règlement")
        )

    def save(self, form):
        data = form.cleaned_data
        try:
            return services.receive_payment(
                self.company,
                data["customer"],
                data["invoices"],
                user=self.request.user,
                **form.values(),
            )
        except services.AllocationError as error:
            raise ValidationError(str(error)) from None

    def success_url(self, payment) -> str:
        return reverse(
            "customer_detail", kwargs={"code": self.company.code, "pk": payment.customer_id}
        )
