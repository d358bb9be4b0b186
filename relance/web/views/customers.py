"""Customer list, customer file, customer and contact forms."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from relance.imports.models import ImportBatch
from relance.ledger import services
from relance.ledger.models import Allocation, Contact
from relance.scoring.views import customer_risk_context
from relance.team.access import Action

from ..forms import ContactForm, CustomerFilterForm, CustomerForm
from ..queries import customer_page
from .banking import bank_freshness_context
from .base import CompanyView, FormView


class CustomerListView(CompanyView):
    def get(self, request):
        form = CustomerFilterForm(request.GET or None, company=self.company)
        filters = form.cleaned_data if form.is_valid() else {}
        page = customer_page(
            self.customers(),
            filters,
            request.GET.get("page"),
            today=self.today,
            currency=self.company.currency,
        )
        return render(
            request,
            "web/customer_list.html",
            {
                "form": form,
                "page": page,
                "can_edit": self.can(Action.EDIT_CUSTOMER),
                **bank_freshness_context(self.company, self.today),
            },
        )


class CustomerDetailView(CompanyView):
    def get(self, request, pk):
        customer = self.get_customer(pk)
        context = {
            "customer": customer,
            "position": services.position_of(customer, self.today, self.company.currency),
            "contacts": customer.contacts.all(),
            "open_items": customer.invoices.filter(open_amount__positive=True).order_by("due_on"),
            "payments": customer.payments.order_by("-received_on")[:10],
            "allocations": Allocation.objects.filter(invoice__customer=customer)
            .select_related("invoice", "payment", "credit_item")
            .order_by("-allocated_on")[:20],
            "imports": ImportBatch.objects.filter(
                Q(invoices__customer=customer) | Q(payments__customer=customer)
            ).distinct()[:20],
            "today": self.today,
            "can_edit": self.can(Action.EDIT_CUSTOMER),
            "can_edit_ledger": self.can(Action.EDIT_LEDGER),
            **bank_freshness_context(self.company, self.today),
            **customer_risk_context(self.membership, customer),
        }
        return render(request, "web/customer_detail.html", context)


class CustomerCreateView(FormView):
    action = Action.EDIT_CUSTOMER

    def get(self, request):
        return self.render_form(CustomerForm(company=self.company), title=_("Nouveau client"))

    def post(self, request):
        form = CustomerForm(request.POST, company=self.company)
        return self.save_or_render(
            form,
            lambda form: services.create_customer(self.company, **form.cleaned_data),
            customer_url,
            title=_("Nouveau client"),
        )


class CustomerUpdateView(FormView):
    action = Action.EDIT_CUSTOMER

    def get(self, request, pk):
        customer = self.get_customer(pk)
        return self.render_form(
            CustomerForm(instance=customer, company=self.company),
            title=customer.name,
            cancel=customer,
        )

    def post(self, request, pk):
        customer = self.get_customer(pk)
        form = CustomerForm(request.POST, instance=customer, company=self.company)
        return self.save_or_render(
            form,
            lambda form: services.update_customer(customer, **form.cleaned_data),
            lambda saved: customer_url(customer),
            title=customer.name,
            cancel=customer,
        )


class ContactCreateView(FormView):
    action = Action.EDIT_CUSTOMER

    def get(self, request, pk):
        customer = self.get_customer(pk)
        return self.render_form(ContactForm(), title=_("Nouveau contact"), cancel=customer)

    def post(self, request, pk):
        customer = self.get_customer(pk)
        form = ContactForm(request.POST, instance=Contact(customer=customer))
        return self.save_or_render(
            form,
            lambda form: services.save_contact(form.instance, **form.cleaned_data),
            lambda saved: customer_url(customer),
            title=_("Nouveau contact"),
            cancel=customer,
        )


class ContactUpdateView(FormView):
    action = Action.EDIT_CUSTOMER

    def get(self, request, pk):
        contact = get_object_or_404(self.contacts().select_related("customer"), pk=pk)
        return self.render_form(
            ContactForm(instance=contact), title=contact.name, cancel=contact.customer
        )

    def post(self, request, pk):
        contact = get_object_or_404(self.contacts().select_related("customer"), pk=pk)
        form = ContactForm(request.POST, instance=contact)
        return self.save_or_render(
            form,
            lambda form: services.save_contact(contact, **form.cleaned_data),
            lambda saved: customer_url(contact.customer),
            title=contact.name,
            cancel=contact.customer,
        )


def customer_url(customer) -> str:
    return reverse("customer_detail", kwargs={"code": customer.company.code, "pk": customer.pk})
