"""Holds, disputes and promises to pay. Writes go through the dunning forms of the customer
file and relance.dunning.actions, as the pages do (reminders: reminders.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from relance.dunning import actions
from relance.dunning.forms import DisputeForm, HoldForm, PromiseForm, ResolveDisputeForm
from relance.dunning.models import (
    Dispute,
    Hold,
    Promise,
)
from relance.ledger.models import Invoice
from relance.team.access import Action

from ..common import (
    CompanyCode,
    CustomerCode,
    Day,
    Id,
    Money,
    Page,
    PageParams,
    RefId,
    Term,
    form_data,
    valid,
)
from ..common import page as paginate
from ..errors import Conflict, service_invalid
from ..scope import Scope, scope_for

router = Router(tags=["Blocages, litiges, promesses"])


def customer_code(obj) -> str:
    return obj.customer.code


def username(user) -> str | None:
    return user.username if user is not None else None


# --- Holds ----------------------------------------------------------------------------------


class HoldOut(Schema):
    id: int
    customer: str
    invoice: int | None = Field(description="La facture bloquée, ou null : tout le client.")
    reason: str
    ends_on: date | None
    created_at: datetime
    lifted_at: datetime | None

    resolve_customer = staticmethod(customer_code)

    @staticmethod
    def resolve_invoice(obj) -> int | None:
        return obj.invoice_id


class HoldIn(Schema):
    reason: str = Field(max_length=200)
    ends_on: Day | None = Field(None, description="Vide : jusqu'à la levée.")
    invoice: RefId | None = Field(None, description="Une facture ouverte du client, ou rien.")


class HoldFilters(PageParams):
    customer: Term | None = None
    active: bool | None = Field(None, description="true : non levés.")


@router.get("/holds", response=Page[HoldOut], summary="Blocages de relance")
def list_holds(request, company: CompanyCode, filters: Query[HoldFilters]):
    holds = scope_for(request, company).scoped(Hold.objects.select_related("customer"))
    if filters.customer:
        holds = holds.filter(customer__code=filters.customer)
    if filters.active is not None:
        holds = holds.filter(lifted_at__isnull=filters.active)
    return paginate(request, holds.order_by("-created_at", "-pk"), filters)


@router.post("/customers/{code}/holds", response={201: HoldOut}, summary="Suspendre les relances")
def create_hold(request, company: CompanyCode, code: CustomerCode, payload: HoldIn):
    scope = scope_for(request, company, Action.DUN)
    customer = scope.customer(code)
    data = valid(HoldForm(form_data(payload.dict()), customer=customer))
    return Status(201, actions.put_on_hold(customer, request.user, **data))


@router.post("/holds/{pk}/lift", response=HoldOut, summary="Lever un blocage")
def lift_hold(request, company: CompanyCode, pk: Id):
    scope = scope_for(request, company, Action.DUN)
    hold = scope.get(Hold.objects.select_related("customer"), pk, _("Blocage"))
    return actions.lift_hold(hold, request.user)


# --- Disputes -------------------------------------------------------------------------------


class DisputeOut(Schema):
    id: int
    customer: str
    invoice: int
    invoice_number: str
    reason: str = Field(description="price, quantity, quality, not_received, already_paid, other.")
    amount: Decimal | None = Field(description="Montant contesté ; null : toute la facture.")
    description: str
    owner: str | None
    status: str = Field(description="open ou resolved.")
    resolution: str
    resolution_note: str
    opened_at: datetime
    resolved_at: datetime | None

    resolve_customer = staticmethod(customer_code)

    @staticmethod
    def resolve_invoice(obj) -> int:
        return obj.invoice_id

    @staticmethod
    def resolve_invoice_number(obj) -> str:
        return obj.invoice.number

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username(obj.owner)


Reason = Literal["price", "quantity", "quality", "not_received", "already_paid", "other"]


class DisputeIn(Schema):
    invoice: RefId = Field(description="Une facture ouverte du client.")
    reason: Reason
    amount: Money | None = Field(None, description="Vide : toute la facture.")
    description: str = ""
    owner: str | None = Field(None, description="Identifiant du responsable (défaut : soi).")


class ResolveIn(Schema):
    resolution: Literal["credit_note", "corrected_invoice", "rejected"]
    note: str = Field("", max_length=500)


class DisputeFilters(PageParams):
    customer: Term | None = None
    status: Literal["open", "resolved"] | None = None


def _disputes(scope: Scope):
    return scope.scoped(Dispute.objects.select_related("customer", "invoice", "owner"))


@router.get("/disputes", response=Page[DisputeOut], summary="Litiges")
def list_disputes(request, company: CompanyCode, filters: Query[DisputeFilters]):
    disputes = _disputes(scope_for(request, company))
    if filters.customer:
        disputes = disputes.filter(customer__code=filters.customer)
    if filters.status:
        disputes = disputes.filter(status=filters.status)
    return paginate(request, disputes.order_by("-opened_at", "-pk"), filters)


@router.get("/disputes/{pk}", response=DisputeOut, summary="Un litige")
def get_dispute(request, company: CompanyCode, pk: Id):
    scope = scope_for(request, company)
    return scope.get(_disputes(scope), pk, _("Litige"))


def _owner_id(scope: Scope, values: dict) -> dict:
    """The owner by username; the form takes an id and refuses an unknown one."""
    name = values.get("owner")
    if name:
        user = get_user_model().objects.filter(username=name).first()
        values["owner"] = user.pk if user is not None else name
    return values


@router.post("/customers/{code}/disputes", response={201: DisputeOut}, summary="Ouvrir un litige")
def create_dispute(request, company: CompanyCode, code: CustomerCode, payload: DisputeIn):
    scope = scope_for(request, company, Action.DUN)
    customer = scope.customer(code)
    form = DisputeForm(form_data(_owner_id(scope, payload.dict())), customer=customer)
    data = dict(valid(form))
    try:
        dispute = actions.open_dispute(data.pop("invoice"), request.user, **data)
    except ValidationError as error:
        raise service_invalid(error) from None
    return Status(201, _disputes(scope).get(pk=dispute.pk))


@router.post("/disputes/{pk}/resolve", response=DisputeOut, summary="Résoudre un litige")
def resolve_dispute(request, company: CompanyCode, pk: Id, payload: ResolveIn):
    scope = scope_for(request, company, Action.DUN)
    dispute = scope.get(_disputes(scope), pk, _("Litige"))
    if dispute.status != Dispute.Status.OPEN:
        raise Conflict(_("Ce litige est déjà résolu."))
    data = valid(ResolveDisputeForm(form_data(payload.dict())))
    actions.resolve_dispute(dispute, request.user, **data)
    return _disputes(scope).get(pk=dispute.pk)


# --- Promises to pay ------------------------------------------------------------------------


class PromiseOut(Schema):
    id: int
    customer: str
    promised_on: date
    amount: Decimal
    currency: str
    channel: str
    made_on: date | None
    status: str = Field(description="open, kept ou broken.")
    paid_amount: Decimal | None
    decided_on: date | None
    invoices: list[int]

    resolve_customer = staticmethod(customer_code)

    @staticmethod
    def resolve_invoices(obj) -> list[int]:
        return [invoice.pk for invoice in obj.invoices.all()]


class PromiseIn(Schema):
    promised_on: Day
    amount: Money | None = Field(
        None, description="Vide : ce que doivent les factures (ou le compte)."
    )
    invoices: list[RefId] = Field([], max_length=500, description="Vide : tout le compte.")
    channel: Literal["call", "email", "letter", "self_service", "other"] | None = None


class PromiseFilters(PageParams):
    customer: Term | None = None
    status: Literal["open", "kept", "broken"] | None = None


def _promises(scope: Scope):
    invoices = Prefetch("invoices", Invoice.objects.only("pk").order_by("pk"))
    return scope.scoped(Promise.objects.select_related("customer").prefetch_related(invoices))


@router.get("/promises", response=Page[PromiseOut], summary="Promesses de règlement")
def list_promises(request, company: CompanyCode, filters: Query[PromiseFilters]):
    promises = _promises(scope_for(request, company))
    if filters.customer:
        promises = promises.filter(customer__code=filters.customer)
    if filters.status:
        promises = promises.filter(status=filters.status)
    return paginate(request, promises.order_by("-promised_on", "-pk"), filters)


@router.get("/promises/{pk}", response=PromiseOut, summary="Une promesse de règlement")
def get_promise(request, company: CompanyCode, pk: Id):
    scope = scope_for(request, company)
    return scope.get(_promises(scope), pk, _("Promesse"))


@router.post(
    "/customers/{code}/promises",
    response={201: PromiseOut},
    summary="Enregistrer une promesse de règlement",
)
def create_promise(request, company: CompanyCode, code: CustomerCode, payload: PromiseIn):
    scope = scope_for(request, company, Action.DUN)
    customer = scope.customer(code)
    data = valid(PromiseForm(form_data(payload.dict()), customer=customer))
    try:
        promise = actions.record_promise(customer, request.user, **data)
    except ValidationError as error:
        raise service_invalid(error) from None
    return Status(201, _promises(scope).get(pk=promise.pk))
