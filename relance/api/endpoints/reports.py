"""KPIs as of a date (the JSON of `relance report kpis --format json`), for the member's
scope: the whole company, or a collector's or sales rep's portfolio, as on the dashboard; and
the credit check of one customer ("may we ship?", relance.scoring.services.credit_check)."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from relance.core.money import MoneyError, parse_currency
from relance.reports import services
from relance.reports.management.commands.report import as_json
from relance.scoring.services import credit_check as credit_check_of

from ..common import CompanyCode, CustomerCode, Day
from ..errors import Invalid
from ..scope import scope_for

router = Router(tags=["Indicateurs"])


class Aging(Schema):
    not_due: str
    d1_30: str = Field(alias="1-30")
    d31_60: str = Field(alias="31-60")
    d61_90: str = Field(alias="61-90")
    d91_180: str = Field(alias="91-180")
    d180_plus: str = Field(alias="180+")


class KpisOut(Schema):
    as_of: str
    currency: str
    outstanding: str = Field(description="Montants en chaînes à deux décimales.")
    overdue: str
    not_due: str
    aging: Aging
    dso_simple: float | None = Field(description="Jours, une décimale ; null si indéfini.")
    dso_countback: float | None
    best_possible_dso: float | None
    add: float | None
    cei: float | None
    avg_days_to_pay: float | None
    avg_days_late: float | None


class KpiParams(Schema):
    as_of: Day | None = Field(None, description="Défaut : aujourd'hui (fuseau de la société).")
    currency: str | None = Field(None, max_length=3, description="Défaut : celle de la société.")


@router.get("/kpis", response=KpisOut, by_alias=True, summary="Indicateurs à une date")
def kpis(request, company: CompanyCode, params: Query[KpiParams]):
    scope = scope_for(request, company)
    try:
        currency = parse_currency(params.currency) if params.currency else None
    except MoneyError as error:
        raise Invalid(str(error), {"currency": [str(error)]}) from None
    figures = services.kpis_as_of(
        scope.company, params.as_of or scope.today, currency, scope.portfolio()
    )
    return as_json(figures)


class CreditCheckOut(Schema):
    customer: str
    decision: str = Field(
        description="ok : expédier ; review : une personne regarde d'abord ; block : non."
    )
    reason: str | None = Field(
        description="blocked, handed_over, over_limit, near_limit, high_risk, ou null."
    )
    blocked: bool = Field(description="Nouvelles commandes bloquées.")
    outstanding: str = Field(description="Encours du jour, devise de la société.")
    overdue: str
    credit_limit: str | None
    available: str | None = Field(description="Encours autorisé restant (null sans limite).")
    limit_use: float | None = Field(description="Part de l'encours autorisé utilisée, en %.")
    score: int | None = Field(description="Dernier score de risque (0 à 100), ou null.")


@router.get(
    "/customers/{code}/credit-check",
    response=CreditCheckOut,
    summary="Peut-on livrer ce client ?",
    tags=["Clients"],
)
def credit_check(request, company: CompanyCode, code: CustomerCode):
    scope = scope_for(request, company)
    customer = scope.customer(code)
    return credit_check_of(scope.company, customer, scope.today)
