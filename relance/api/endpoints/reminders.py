"""Reminders: read (with their items and history), approved or rejected through
relance.dunning.actions, as on the approvals page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from relance.dunning import actions
from relance.dunning.models import Reminder, ReminderEvent, ReminderItem
from relance.team.access import Action

from ..common import CompanyCode, Id, Page, PageParams, Term
from ..common import page as paginate
from ..errors import Conflict, Forbidden
from ..scope import Scope, scope_for
from .dunning import customer_code, username

router = Router(tags=["Relances"])


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
        return username(obj.user)


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

    resolve_customer = staticmethod(customer_code)


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
