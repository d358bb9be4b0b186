"""Invoices, credit notes, payments and allocations (lettrage). Writes go through the web
UI's forms (InvoiceForm, PaymentForm) and relance.ledger.services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from django import forms
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from relance.core.records import ItemKind
from relance.ledger import services
from relance.ledger.models import Allocation, Invoice, Payment
from relance.team.access import Action
from relance.web.forms import InvoiceForm, PaymentForm
from relance.web.queries import filter_invoices

from ..common import CompanyCode, Day, Id, Money, Page, PageParams, RefId, Term, form_data, valid
from ..common import page as paginate
from ..errors import Conflict, Invalid
from ..scope import Scope, scope_for

router = Router(tags=["Pièces et règlements"])

CREDIT_NOTE = ItemKind.CREDIT_NOTE.value


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str = Field(description="invoice, credit_note, opening, adjustment, refund.")
    is_credit: bool = Field(description="Au crédit du client (avoir, à-nouveau créditeur).")
    customer: str = Field(description="Code du client.")
    issued_on: date
    due_on: date
    amount: Decimal = Field(description="Montant TTC.")
    amount_excl_tax: Decimal | None
    open_amount: Decimal = Field(description="Reste dû.")
    currency: str
    po_reference: str
    payment_reference: str
    label: str
    is_disputed: bool

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.code


class InvoiceFields(Schema):
    number: str | None = Field(None, max_length=60)
    issued_on: Day | None = None
    due_on: Day | None = None
    amount: Money | None = None
    amount_excl_tax: Money | None = None
    currency: str | None = Field(None, description="Défaut : la devise de la société.")
    po_reference: str | None = None
    label: str | None = None
    is_disputed: bool | None = None


class InvoiceIn(InvoiceFields):
    customer: str = Field(max_length=40, description="Code du client.")
    number: str = Field(max_length=60)
    issued_on: Day
    due_on: Day
    amount: Money


class InvoiceFilters(PageParams):
    status: Literal["open", "overdue", "due_soon", "settled", "all"] = Field(
        "all",
        description="open : reste dû ; overdue : échues ; due_soon : échéance dans 7 jours ; "
        "settled : soldées ; all : toutes.",
    )
    customer: Term | None = Field(None, description="Code du client.")
    number: Term | None = Field(None, description="Numéro contient.")
    due_after: Day | None = Field(None, description="Échéance le ou après.")
    due_before: Day | None = Field(None, description="Échéance le ou avant.")


def _items(scope: Scope, filters: InvoiceFilters, credit_notes: bool):
    items = scope.invoices().select_related("customer")
    items = items.filter(kind=CREDIT_NOTE) if credit_notes else items.exclude(kind=CREDIT_NOTE)
    if filters.status == "settled":
        items = items.filter(open_amount=0)
    else:
        shown = {"show": filters.status, "customer": filters.customer, "q": filters.number}
        items = filter_invoices(items, shown, scope.today)
    if filters.due_after:
        items = items.filter(due_on__gte=filters.due_after)
    if filters.due_before:
        items = items.filter(due_on__lte=filters.due_before)
    return items.order_by("due_on", "number", "pk")


def _item(scope: Scope, pk: int, credit_notes: bool) -> Invoice:
    items = Invoice.objects.select_related("customer")
    items = items.filter(kind=CREDIT_NOTE) if credit_notes else items.exclude(kind=CREDIT_NOTE)
    return scope.get(items, pk, _("Avoir") if credit_notes else _("Facture"))


def _record(scope: Scope, payload: InvoiceIn, kind: str) -> Invoice:
    values = payload.dict(exclude_unset=True)
    values.setdefault("currency", scope.company.currency)
    values.update(kind=kind, is_disputed=values.get("is_disputed") or False)
    form = InvoiceForm(form_data(values), customers=scope.customers(), company=scope.company)
    valid(form)
    return services.record_invoice(scope.company, form.cleaned_data["customer"], **form.values())


def _update(scope: Scope, item: Invoice, payload: InvoiceFields) -> Invoice:
    fields = [name for name in InvoiceForm._meta.fields if name != "customer"]
    values = {**model_to_dict(item, fields=fields), **payload.dict(exclude_unset=True)}
    form = InvoiceForm(
        form_data(values), instance=item, customers=scope.customers(), company=scope.company
    )
    valid(form)
    try:
        return services.update_invoice(item, **form.values())
    except services.InvoiceLocked:
        raise Conflict(
            _(
                "Cette pièce est déjà lettrée : son montant, son type et sa "
                "devise ne peuvent plus être modifiés."
            )
        ) from None


@router.get("/invoices", response=Page[InvoiceOut], summary="Factures (hors avoirs)")
def list_invoices(request, company: CompanyCode, filters: Query[InvoiceFilters]):
    scope = scope_for(request, company)
    return paginate(request, _items(scope, filters, credit_notes=False), filters)


@router.get("/invoices/{pk}", response=InvoiceOut, summary="Une facture")
def get_invoice(request, company: CompanyCode, pk: Id):
    return _item(scope_for(request, company), pk, credit_notes=False)


@router.post("/invoices", response={201: InvoiceOut}, summary="Créer une facture")
def create_invoice(request, company: CompanyCode, payload: InvoiceIn):
    scope = scope_for(request, company, Action.EDIT_LEDGER)
    return Status(201, _record(scope, payload, ItemKind.INVOICE.value))


@router.patch("/invoices/{pk}", response=InvoiceOut, summary="Modifier une facture")
def update_invoice(request, company: CompanyCode, pk: Id, payload: InvoiceFields):
    scope = scope_for(request, company, Action.EDIT_LEDGER)
    return _update(scope, _item(scope, pk, credit_notes=False), payload)


@router.get("/credit-notes", response=Page[InvoiceOut], summary="Avoirs")
def list_credit_notes(request, company: CompanyCode, filters: Query[InvoiceFilters]):
    scope = scope_for(request, company)
    return paginate(request, _items(scope, filters, credit_notes=True), filters)


@router.get("/credit-notes/{pk}", response=InvoiceOut, summary="Un avoir")
def get_credit_note(request, company: CompanyCode, pk: Id):
    return _item(scope_for(request, company), pk, credit_notes=True)


@router.post("/credit-notes", response={201: InvoiceOut}, summary="Créer un avoir")
def create_credit_note(request, company: CompanyCode, payload: InvoiceIn):
    scope = scope_for(request, company, Action.EDIT_LEDGER)
    return Status(201, _record(scope, payload, CREDIT_NOTE))


# --- Payments -------------------------------------------------------------------------------


class PaymentOut(Schema):
    id: int
    customer: str | None = Field(description="Code du client (null : règlement non attribué).")
    received_on: date
    amount: Decimal
    unallocated_amount: Decimal = Field(description="Part non lettrée.")
    currency: str
    method: str
    reference: str
    label: str

    @staticmethod
    def resolve_customer(obj) -> str | None:
        return obj.customer.code if obj.customer_id else None


Method = Literal["transfer", "card", "cheque", "direct_debit", "lcr", "cash", "other"]


class PaymentIn(Schema):
    customer: str = Field(max_length=40, description="Code du client.")
    received_on: Day
    amount: Money
    currency: str | None = Field(None, description="Défaut : la devise de la société.")
    method: Method = "transfer"
    reference: str = ""
    label: str = ""
    invoices: list[RefId] = Field(
        [],
        max_length=500,
        description="Factures à lettrer (ids), échéance la plus ancienne "
        "d'abord ; le reste demeure non lettré.",
    )


class PaymentFilters(PageParams):
    customer: Term | None = Field(None, description="Code du client.")
    received_after: Day | None = None
    received_before: Day | None = None
    unallocated: bool | None = Field(None, description="true : avec une part non lettrée.")


@router.get("/payments", response=Page[PaymentOut], summary="Règlements")
def list_payments(request, company: CompanyCode, filters: Query[PaymentFilters]):
    scope = scope_for(request, company)
    payments = scope.payments().select_related("customer")
    if filters.customer:
        payments = payments.filter(customer__code=filters.customer)
    if filters.received_after:
        payments = payments.filter(received_on__gte=filters.received_after)
    if filters.received_before:
        payments = payments.filter(received_on__lte=filters.received_before)
    if filters.unallocated is not None:
        key = "unallocated_amount__gt" if filters.unallocated else "unallocated_amount"
        payments = payments.filter(**{key: 0})
    return paginate(request, payments.order_by("-received_on", "-pk"), filters)


@router.get("/payments/{pk}", response=PaymentOut, summary="Un règlement")
def get_payment(request, company: CompanyCode, pk: Id):
    scope = scope_for(request, company)
    return scope.get(Payment.objects.select_related("customer"), pk, _("Règlement"))


@router.post("/payments", response={201: PaymentOut}, summary="Enregistrer un règlement")
def create_payment(request, company: CompanyCode, payload: PaymentIn):
    scope = scope_for(request, company, Action.EDIT_LEDGER)
    values = payload.dict()
    values["currency"] = values["currency"] or scope.company.currency
    open_items = scope.invoices().filter(
        customer__code=payload.customer, open_amount__positive=True, is_credit=False
    )
    form = PaymentForm(form_data(values), customers=scope.customers(), open_items=open_items)
    data = valid(form)
    try:
        payment = services.receive_payment(
            scope.company, data["customer"], data["invoices"], user=request.user, **form.values()
        )
    except services.AllocationError as error:
        raise Invalid(str(error)) from None
    return Status(201, payment)


# --- Allocations ----------------------------------------------------------------------------


class AllocationOut(Schema):
    id: int
    invoice: int
    invoice_number: str
    payment: int | None = Field(description="Règlement lettré (ou null).")
    credit_note: int | None = Field(description="Avoir (ou pièce au crédit) lettré, ou null.")
    amount: Decimal
    allocated_on: date

    @staticmethod
    def resolve_invoice(obj) -> int:
        return obj.invoice_id

    @staticmethod
    def resolve_invoice_number(obj) -> str:
        return obj.invoice.number

    @staticmethod
    def resolve_payment(obj) -> int | None:
        return obj.payment_id

    @staticmethod
    def resolve_credit_note(obj) -> int | None:
        return obj.credit_item_id


class AllocationIn(Schema):
    invoice: RefId = Field(description="La pièce au débit à solder.")
    payment: RefId | None = Field(None, description="Un règlement… ")
    credit_note: RefId | None = Field(None, description="… ou une pièce au crédit.")
    amount: Money
    allocated_on: Day | None = Field(None, description="Défaut : aujourd'hui.")


class AllocationForm(forms.Form):
    """Lettrage by hand: one debit item, one source (a payment or a credit item) of the same
    customer, an amount; relance.ledger.services.allocate checks what is available."""

    invoice = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Facture"))
    payment = forms.ModelChoiceField(queryset=None, required=False)
    credit_note = forms.ModelChoiceField(queryset=None, required=False)
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    allocated_on = forms.DateField()

    def __init__(self, data, *, scope: Scope):
        super().__init__(data)
        items = scope.invoices()
        self.fields["invoice"].queryset = items.filter(is_credit=False)
        self.fields["payment"].queryset = scope.payments()
        self.fields["credit_note"].queryset = items.filter(is_credit=True)

    def clean(self):
        data = super().clean()
        sources = [data.get("payment"), data.get("credit_note")]
        if sum(source is not None for source in sources) != 1:
            raise forms.ValidationError(_("Donnez un règlement ou un avoir, pas les deux."))
        invoice, source = data.get("invoice"), next(s for s in sources if s is not None)
        if invoice is not None and source.customer_id != invoice.customer_id:
            raise forms.ValidationError(_("Le règlement ou l'avoir est celui d'un autre client."))
        return data


def _allocations(scope: Scope):
    allocations = Allocation.objects.filter(company=scope.company).select_related("invoice")
    if scope.portfolio_field:
        owner = {f"invoice__customer__{scope.portfolio_field}": scope.user}
        allocations = allocations.filter(**owner)
    return allocations


@router.get("/allocations", response=Page[AllocationOut], summary="Lettrages")
def list_allocations(
    request,
    company: CompanyCode,
    params: Query[PageParams],
    invoice: RefId | None = None,
    payment: RefId | None = None,
    customer: Term | None = None,
):
    allocations = _allocations(scope_for(request, company))
    if invoice:
        allocations = allocations.filter(Q(invoice=invoice) | Q(credit_item=invoice))
    if payment:
        allocations = allocations.filter(payment=payment)
    if customer:
        allocations = allocations.filter(invoice__customer__code=customer)
    return paginate(request, allocations.order_by("-allocated_on", "-pk"), params)


@router.post("/allocations", response={201: AllocationOut}, summary="Lettrer")
def create_allocation(request, company: CompanyCode, payload: AllocationIn):
    scope = scope_for(request, company, Action.EDIT_LEDGER)
    values = payload.dict()
    values["allocated_on"] = values["allocated_on"] or scope.today
    data = valid(AllocationForm(form_data(values), scope=scope))
    try:
        allocation = services.allocate(
            data["invoice"],
            data["amount"],
            data["allocated_on"],
            payment=data["payment"],
            credit_item=data["credit_note"],
            user=request.user,
        )
    except services.AllocationError as error:
        raise Invalid(str(error)) from None
    return Status(201, allocation)
