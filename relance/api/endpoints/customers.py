"""Customers and their contacts. Writes go through the web UI's forms (CustomerForm,
ContactForm) and relance.ledger.services, so the API accepts exactly what the pages accept."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.forms.models import model_to_dict
from ninja import Field, Query, Router, Schema, Status

from relance.ledger import services
from relance.ledger.models import Contact, Customer
from relance.team.access import Action
from relance.web.forms import ContactForm, CustomerForm, members_of
from relance.web.queries import search_customers

from ..common import (
    CompanyCode,
    CustomerCode,
    Id,
    Money,
    Page,
    PageParams,
    Term,
    cents,
    form_data,
    valid,
)
from ..common import page as paginate
from ..scope import Scope, scope_for

router = Router(tags=["Clients"])

Profile = Literal[
    "good", "negligent", "bad", "insolvent", "administrative", "dispute_prone", "automatic"
]


class CustomerOut(Schema):
    code: str
    name: str
    siren: str
    siret: str
    vat_number: str
    is_consumer: bool
    payer_profile: str
    language: str
    credit_limit: Decimal | None
    is_blocked: bool = Field(description="Nouvelles commandes bloquées.")
    is_handed_over: bool = Field(description="Transmis au contentieux.")
    collector: str | None = Field(description="Identifiant du chargé de recouvrement.")
    sales_rep: str | None
    address: str
    postal_code: str
    city: str
    country: str
    currency: str = Field(description="Devise du solde (celle de la société).")
    balance: Decimal | None = Field(description="Solde du compte dans cette devise.")
    overdue: Decimal | None = Field(description="Dont échu.")

    @staticmethod
    def resolve_collector(obj) -> str | None:
        return obj.collector.username if obj.collector_id else None

    @staticmethod
    def resolve_sales_rep(obj) -> str | None:
        return obj.sales_rep.username if obj.sales_rep_id else None

    @staticmethod
    def resolve_currency(obj) -> str:
        return obj.company.currency

    @staticmethod
    def resolve_balance(obj):
        return cents(getattr(obj, "balance", None))

    @staticmethod
    def resolve_overdue(obj):
        return cents(getattr(obj, "overdue", None))


class CustomerFields(Schema):
    name: str | None = Field(None, max_length=200)
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    is_consumer: bool | None = None
    payer_profile: Profile | None = None
    language: Literal["fr", "en"] | None = None
    credit_limit: Money | None = None
    is_blocked: bool | None = None
    is_handed_over: bool | None = None
    collector: str | None = Field(None, description="Identifiant d'un membre de la société.")
    sales_rep: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = Field(None, description="Code pays ISO 3166 (FR).")


class CustomerIn(CustomerFields):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)


class CustomerPatch(CustomerFields):
    code: str | None = Field(None, max_length=40)


class CustomerFilters(PageParams):
    q: Term | None = Field(None, description="Code, nom ou SIREN contient.")
    code: Term | None = Field(None, description="Code exact.")
    payer_profile: Profile | None = None
    collector: Term | None = Field(None, description="Identifiant du chargé de recouvrement.")
    blocked: bool | None = Field(None, description="true : seulement les bloqués.")


CUSTOMER_DEFAULTS = {
    "siren": "",
    "siret": "",
    "vat_number": "",
    "is_consumer": False,
    "payer_profile": "good",
    "language": "fr",
    "is_blocked": False,
    "is_handed_over": False,
    "address": "",
    "postal_code": "",
    "city": "",
    "country": "FR",
}


def _with_position(scope: Scope, rows: list[Customer]) -> list[Customer]:
    """Balance and overdue of the page's customers, in one query."""
    positions = services.with_position(
        Customer.objects.filter(pk__in=[row.pk for row in rows]),
        scope.today,
        scope.company.currency,
    ).values("pk", "balance", "overdue")
    by_pk = {position["pk"]: position for position in positions}
    for row in rows:
        row.balance, row.overdue = by_pk[row.pk]["balance"], by_pk[row.pk]["overdue"]
    return rows


def _customers(scope: Scope):
    return scope.customers().select_related("company", "collector", "sales_rep")


def _written(scope: Scope, customer: Customer) -> Customer:
    """The customer just written, as the answer shows it. Read by its id, not through the
    portfolio: a collector who gives the customer to a colleague (or creates one for them)
    gets what was written; reading it again afterwards is a 404, as on the pages."""
    found = Customer.objects.select_related("company", "collector", "sales_rep")
    return _with_position(scope, [found.get(pk=customer.pk)])[0]


@router.get("/customers", response=Page[CustomerOut], summary="Clients")
def list_customers(request, company: CompanyCode, filters: Query[CustomerFilters]):
    scope = scope_for(request, company)
    # The web list's search (code, name or SIREN; profile; blocked); the collector is given
    # here by username, not by id.
    searched = {"q": filters.q, "payer_profile": filters.payer_profile, "blocked": filters.blocked}
    customers = search_customers(_customers(scope), searched)
    if filters.code:
        customers = customers.filter(code=filters.code)
    if filters.collector:
        customers = customers.filter(collector__username=filters.collector)
    return paginate(
        request, customers.order_by("code", "pk"), filters, lambda rows: _with_position(scope, rows)
    )


@router.get("/customers/{code}", response=CustomerOut, summary="Un client")
def get_customer(request, company: CompanyCode, code: CustomerCode):
    scope = scope_for(request, company)
    customer = scope.customer(code)
    return _with_position(scope, [_customers(scope).get(pk=customer.pk)])[0]


def _members(scope: Scope, values: dict) -> dict:
    """Collector and sales rep are given by username; the form takes the member's id (an
    unknown name stays as is, and the form refuses it)."""
    for name in ("collector", "sales_rep"):
        username = values.get(name)
        if username:
            user = members_of(scope.company).filter(username=username).first()
            values[name] = user.pk if user else username
    return values


@router.post("/customers", response={201: CustomerOut}, summary="Créer un client")
def create_customer(request, company: CompanyCode, payload: CustomerIn):
    scope = scope_for(request, company, Action.EDIT_CUSTOMER)
    values = {**CUSTOMER_DEFAULTS, **payload.dict(exclude_unset=True)}
    form = CustomerForm(form_data(_members(scope, values)), company=scope.company)
    customer = services.create_customer(scope.company, **valid(form))
    return Status(201, _written(scope, customer))


@router.patch("/customers/{code}", response=CustomerOut, summary="Modifier un client")
def update_customer(request, company: CompanyCode, code: CustomerCode, payload: CustomerPatch):
    scope = scope_for(request, company, Action.EDIT_CUSTOMER)
    customer = scope.customer(code)
    fields = list(CustomerForm._meta.fields)
    values = {**model_to_dict(customer, fields=fields), **payload.dict(exclude_unset=True)}
    form = CustomerForm(
        form_data(_members(scope, values)), instance=customer, company=scope.company
    )
    services.update_customer(customer, **valid(form))
    return _written(scope, customer)


# --- Contacts -------------------------------------------------------------------------------


ContactRole = Literal["billing", "accounting", "management", "sales"]
Channel = Literal["email", "sms", "letter", "phone"]


class ContactOut(Schema):
    id: int
    customer: str
    role: str
    name: str
    email: str
    phone: str
    mobile: str
    preferred_channel: str
    sms_opt_out: bool
    address: str
    postal_code: str
    city: str
    country: str

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.code


class ContactFields(Schema):
    role: ContactRole | None = None
    name: str | None = Field(None, max_length=200)
    email: str | None = None
    phone: str | None = Field(None, description="Normalisé au format E.164.")
    mobile: str | None = None
    preferred_channel: Channel | None = None
    sms_opt_out: bool | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None


class ContactIn(ContactFields):
    name: str = Field(max_length=200)


CONTACT_DEFAULTS = {
    "role": "billing",
    "email": "",
    "phone": "",
    "mobile": "",
    "preferred_channel": "email",
    "sms_opt_out": False,
    "address": "",
    "postal_code": "",
    "city": "",
    "country": "FR",
}


def _contacts(scope: Scope):
    return scope.scoped(Contact.objects.select_related("customer"))


@router.get("/contacts", response=Page[ContactOut], summary="Contacts")
def list_contacts(
    request,
    company: CompanyCode,
    params: Query[PageParams],
    customer: Term | None = None,
):
    scope = scope_for(request, company)
    contacts = _contacts(scope)
    if customer:
        contacts = contacts.filter(customer__code=customer)
    return paginate(request, contacts.order_by("customer__code", "pk"), params)


@router.get("/contacts/{pk}", response=ContactOut, summary="Un contact")
def get_contact(request, company: CompanyCode, pk: Id):
    scope = scope_for(request, company)
    return scope.get(Contact.objects.select_related("customer"), pk, "Contact")


@router.post(
    "/customers/{code}/contacts",
    response={201: ContactOut},
    summary="Ajouter un contact",
)
def create_contact(request, company: CompanyCode, code: CustomerCode, payload: ContactIn):
    scope = scope_for(request, company, Action.EDIT_CUSTOMER)
    customer = scope.customer(code)
    values = {**CONTACT_DEFAULTS, **payload.dict(exclude_unset=True)}
    form = ContactForm(form_data(values), instance=Contact(customer=customer))
    return Status(201, services.save_contact(form.instance, **valid(form)))


@router.patch("/contacts/{pk}", response=ContactOut, summary="Modifier un contact")
def update_contact(request, company: CompanyCode, pk: Id, payload: ContactFields):
    scope = scope_for(request, company, Action.EDIT_CUSTOMER)
    contact = scope.get(Contact.objects.select_related("customer"), pk, "Contact")
    fields = list(ContactForm._meta.fields)
    values = {**model_to_dict(contact, fields=fields), **payload.dict(exclude_unset=True)}
    form = ContactForm(form_data(values), instance=contact)
    return services.save_contact(contact, **valid(form))
