"""Reminders (read, approve, reject), holds, disputes and promises to pay. Writes go through
the dunning forms of the customer file and relance.dunning.actions, as the pages do."""

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
    Reminder,
    ReminderEvent,
    ReminderItem,
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
from ..errors import Conflict, Forbidden, service_invalid
from ..scope import Scope, scope_for

router = Router(tags=["Relances, blocages, litiges, promesses"])


def _code(obj) -> str:
    return obj.customer.code


def _username(user) -> str | None:
    return user.username if user is not None else None


# --- Reminders ------------------------------------------------------------------------------


class ReminderItemOut(Schema):
    invoice: int
    number: str
    open_amount: Decimal = Field(description="Reste dû de la pièce quand la relance l'a listée.")

    @staticmethod
    def resolve_invoice(obj) -> int:
        return obj.invoice_id

    @staticmethod
    def resolve_number(obj) -> str:
        return obj.invoice.number


class ReminderEventOut(Schema):
    status: str
    at: datetime
    note: str
    user: str | None

    @staticmethod
    def resolve_user(obj) -> str | None:
        return _username(obj.user)


class ReminderOut(Schema):
    id: int
    customer: str
    status: str = Field(
        description="awaiting_approval, pending, sending, sent, uncertain, failed, "
        "cancelled, rejected."
    )
    channel: str
    level: int
    step_name: str
    escalation: str
    currency: str
    amount: Decimal
    overdue_amount: Decimal
    planned_on: date
    sent_at: datetime | None
    subject: str

    resolve_customer = staticmethod(_code)


class ReminderDetail(ReminderOut):
    body_text: str
    recipients: list[dict]
    items: list[ReminderItemOut]
    events: list[ReminderEventOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.all())


ReminderStatus = Literal[
    "awaiting_approval",
    "pending",
    "sending",
    "sent",
    "uncertain",
    "failed",
    "cancelled",
    "rejected",
]


class ReminderFilters(PageParams):
    status: ReminderStatus | None = None
    customer: Term | None = Field(None, description="Code du client.")
    channel: Literal["email", "sms", "letter", "registered_letter", "call", "task"] | None = None


class ApproveIn(Schema):
    subject: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    body_text: str | None = Field(None, min_length=1, max_length=100_000, pattern=r"^[^\x00]*$")


class RejectIn(Schema):
    note: str = Field("", max_length=500, pattern=r"^[^\x00]*$")


def _reminders(scope: Scope):
    return scope.scoped(Reminder.objects.select_related("customer"))


def _reminder(scope: Scope, pk: int) -> Reminder:
    reminders = _reminders(scope).prefetch_related(
        Prefetch("items", ReminderItem.objects.select_related("invoice").order_by("pk")),
        Prefetch("events", ReminderEvent.objects.select_related("user")),
    )
    return scope.get(reminders, pk, _("Relance"))


@router.get("/reminders", response=Page[ReminderOut], summary="Relances")
def list_reminders(request, company: CompanyCode, filters: Query[ReminderFilters]):
    reminders = _reminders(scope_for(request, company))
    if filters.status:
        reminders = reminders.filter(status=filters.status)
    if filters.customer:
        reminders = reminders.filter(customer__code=filters.customer)
    if filters.channel:
        reminders = reminders.filter(channel=filters.channel)
    return paginate(request, reminders.order_by("-planned_on", "-pk"), filters)


@router.get("/reminders/{pk}", response=ReminderDetail, summary="Une relance et son historique")
def get_reminder(request, company: CompanyCode, pk: Id):
    return _reminder(scope_for(request, company), pk)


def _awaiting(reminder: Reminder) -> None:
    if reminder.status != Reminder.Status.AWAITING_APPROVAL:
        raise Conflict(
            _("Cette relance n'attend pas de validation (statut : %(status)s).")
            % {"status": reminder.get_status_display()}
        )


@router.post("/reminders/{pk}/approve", response=ReminderDetail, summary="Valider une relance")
def approve_reminder(request, company: CompanyCode, pk: Id, payload: ApproveIn):
    scope = scope_for(request, company, Action.APPROVE)
    reminder = _reminder(scope, pk)
    _awaiting(reminder)
    try:
        actions.check_may_approve(reminder, request.user)
    except ValidationError as error:
        raise Forbidden(" ".join(error.messages)) from None
    try:
        actions.approve_reminder(reminder, request.user, payload.subject, payload.body_text)
    except ValidationError as error:  # decided by someone else meanwhile
        raise Conflict(" ".join(error.messages)) from None
    return _reminder(scope, pk)


@router.post("/reminders/{pk}/reject", response=ReminderDetail, summary="Refuser une relance")
def reject_reminder(request, company: CompanyCode, pk: Id, payload: RejectIn):
    scope = scope_for(request, company, Action.APPROVE)
    reminder = _reminder(scope, pk)
    _awaiting(reminder)
    try:
        actions.reject_reminder(reminder, request.user, payload.note)
    except ValidationError as error:
        raise Conflict(" ".join(error.messages)) from None
    return _reminder(scope, pk)


# --- Holds ----------------------------------------------------------------------------------


class HoldOut(Schema):
    id: int
    customer: str
    invoice: int | None = Field(description="La facture bloquée, ou null : tout le client.")
    reason: str
    ends_on: date | None
    created_at: datetime
    lifted_at: datetime | None

    resolve_customer = staticmethod(_code)

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

    resolve_customer = staticmethod(_code)

    @staticmethod
    def resolve_invoice(obj) -> int:
        return obj.invoice_id

    @staticmethod
    def resolve_invoice_number(obj) -> str:
        return obj.invoice.number

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return _username(obj.owner)


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

    resolve_customer = staticmethod(_code)

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
