"""Payment plans (échéanciers): agreed through PaymentPlanForm and
relance.plans.services.agree_plan, cancelled through cancel_plan, read with each
instalment's state as the plan's page shows it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from relance.plans import services
from relance.plans.forms import CancelPlanForm, PaymentPlanForm
from relance.plans.models import PaymentPlan
from relance.team.access import Action
from relance.web.views.plans import plan_rows

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
    cents,
    form_data,
    valid,
)
from ..common import page as paginate
from ..errors import Conflict, service_invalid
from ..scope import Scope, scope_for

router = Router(tags=["Échéanciers"])


class InstalmentOut(Schema):
    number: int
    due_on: date
    amount: Decimal
    left: Decimal = Field(description="Reste à régler sur cette échéance.")
    status: str = Field(description="paid, upcoming, due ou overdue.")


class PlanOut(Schema):
    id: int
    customer: str
    currency: str
    status: str = Field(description="active, completed, broken ou cancelled.")
    agreed_on: date
    covered_amount: Decimal = Field(description="Reste dû des factures le jour de l'accord.")
    notes: str
    ended_on: date | None
    end_note: str
    invoices: list[int]

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.code

    @staticmethod
    def resolve_invoices(obj) -> list[int]:
        return [invoice.pk for invoice in obj.invoices.all()]


class PlanDetail(PlanOut):
    paid: Decimal = Field(description="Reçu sur les factures depuis l'accord.")
    instalments: list[InstalmentOut]

    @staticmethod
    def resolve_instalments(obj) -> list[dict]:
        return obj.instalment_rows


class ScheduledIn(Schema):
    due_on: Day
    amount: Money


class PlanIn(Schema):
    invoices: list[RefId] = Field(min_length=1, max_length=500)
    agreed_on: Day
    count: int | None = Field(None, ge=1, le=60, description="Nombre d'échéances mensuelles…")
    first_on: Day | None = Field(None, description="… à partir de cette date ;")
    schedule: list[ScheduledIn] = Field(
        [], max_length=60, description="ou les échéances une à une (remplacent les deux champs)."
    )
    notes: str = ""


class CancelIn(Schema):
    note: str = Field("", max_length=200)


class PlanFilters(PageParams):
    customer: Term | None = None
    status: Literal["active", "completed", "broken", "cancelled"] | None = None


def _plans(scope: Scope):
    return scope.scoped(PaymentPlan.objects.select_related("customer").prefetch_related("invoices"))


def _detail(scope: Scope, plan: PaymentPlan) -> PaymentPlan:
    """The plan with what was paid on it and each instalment's state (as its page shows)."""
    paid, rows = plan_rows(plan, scope.today)
    plan.paid = cents(paid)
    plan.instalment_rows = [
        {
            "number": row.number,
            "due_on": row.due_on,
            "amount": row.amount,
            "left": cents(row.left),
            "status": row.status.value,
        }
        for row in rows
    ]
    return plan


@router.get("/plans", response=Page[PlanOut], summary="Échéanciers")
def list_plans(request, company: CompanyCode, filters: Query[PlanFilters]):
    plans = _plans(scope_for(request, company))
    if filters.customer:
        plans = plans.filter(customer__code=filters.customer)
    if filters.status:
        plans = plans.filter(status=filters.status)
    return paginate(request, plans.order_by("-agreed_on", "-pk"), filters)


@router.get("/plans/{pk}", response=PlanDetail, summary="Un échéancier et ses échéances")
def get_plan(request, company: CompanyCode, pk: Id):
    scope = scope_for(request, company)
    return _detail(scope, scope.get(_plans(scope), pk, _("Échéancier")))


def _schedule_text(schedule: list[dict]) -> str:
    """The typed schedule as the form reads it: one "date amount" per line."""
    return "\n".join(f"{row['due_on'].isoformat()} {row['amount']}" for row in schedule)


@router.post(
    "/customers/{code}/plans", response={201: PlanDetail}, summary="Convenir d'un échéancier"
)
def create_plan(request, company: CompanyCode, code: CustomerCode, payload: PlanIn):
    scope = scope_for(request, company, Action.DUN)
    customer = scope.customer(code)
    values = payload.dict()
    values["schedule"] = _schedule_text(values["schedule"])
    data = valid(PaymentPlanForm(form_data(values), customer=customer))
    try:
        plan = services.agree_plan(
            customer,
            request.user,
            data["invoices"],
            data["agreed_on"],
            count=data["count"],
            first_on=data["first_on"],
            schedule=data["schedule"],
            notes=data["notes"],
        )
    except ValidationError as error:
        raise service_invalid(error) from None
    return Status(201, _detail(scope, _plans(scope).get(pk=plan.pk)))


@router.post("/plans/{pk}/cancel", response=PlanDetail, summary="Annuler un échéancier")
def cancel_plan(request, company: CompanyCode, pk: Id, payload: CancelIn):
    scope = scope_for(request, company, Action.DUN)
    plan = scope.get(_plans(scope), pk, _("Échéancier"))
    note = valid(CancelPlanForm(form_data(payload.dict())))["note"]
    try:
        services.cancel_plan(plan, request.user, scope.today, note)
    except ValidationError as error:
        raise Conflict(" ".join(error.messages)) from None
    return _detail(scope, _plans(scope).get(pk=plan.pk))
