"""KPIs as of a date (the JSON of `relance report kpis --format json`), for the member's
scope: the whole company, or a collector's or sales rep's portfolio, as on the dashboard."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from relance.core.money import MoneyError, parse_currency
from relance.reports import services
from relance.reports.management.commands.report import as_json

from ..common import CompanyCode, Day
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
