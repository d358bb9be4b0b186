"""What the pages say about a score: the factors, the suggestion rules, the bands and the
alerts, in French first (gettext)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.core import scoring as core

from .models import RiskAlert, Score

F = core.Factor
FACTORS = {
    F.DAYS_LATE: gettext_lazy("Jours de retard (moyenne pondérée par les montants)"),
    F.TREND: gettext_lazy("Évolution du retard (3 derniers mois contre les 9 d'avant)"),
    F.LATE_SHARE: gettext_lazy("Part des factures payées en retard"),
    F.DISPUTES: gettext_lazy("Litiges par facture"),
    F.BROKEN_PROMISES: gettext_lazy("Promesses non tenues"),
    F.REMINDERS: gettext_lazy("Relances nécessaires par facture"),
    F.CREDIT_USE: gettext_lazy("Utilisation de l'encours autorisé"),
}
RULES = {
    core.Rule.DIRECT_DEBIT: gettext_lazy("règle par prélèvement (au moins 4 règlements sur 5)"),
    core.Rule.UNPAID: gettext_lazy(
        "dette échue depuis plus de 90 jours et aucun règlement depuis 90 jours"
    ),
    core.Rule.DISPUTES: gettext_lazy("litiges fréquents (au moins 2, et 1 facture sur 10)"),
    core.Rule.PUBLIC_BODY: gettext_lazy(
        "acheteur public (SIREN commençant par 1 ou 2, ou déjà au profil administratif)"
    ),
    core.Rule.VERY_LATE: gettext_lazy("plus de 45 jours de retard en moyenne"),
    core.Rule.BROKEN_PROMISES: gettext_lazy("au moins 2 promesses non tenues en 12 mois"),
    core.Rule.LATE: gettext_lazy(
        "plus de 10 jours de retard en moyenne, ou la moitié des factures en retard"
    ),
    core.Rule.ON_TIME: gettext_lazy("paie à l'échéance"),
    core.Rule.TOO_LITTLE_HISTORY: gettext_lazy(
        "pas assez d'historique (moins de 3 factures réglées ou échues en 12 mois)"
    ),
}
BANDS = {
    "low": gettext_lazy("Risque faible"),
    "medium": gettext_lazy("Risque modéré"),
    "high": gettext_lazy("Risque élevé"),
}


@dataclass(frozen=True)
class FactorRow:
    """One line of a score's explanation: what, how much, and the points it took off."""

    factor: str
    label: str
    value: str
    points: Decimal
    weight: int


def factor_rows(score: Score) -> list[FactorRow]:
    rows = []
    for item in score.factors:
        factor = F(item["factor"])
        rows.append(
            FactorRow(
                factor.value,
                str(FACTORS[factor]),
                measure(factor, item["value"]),
                Decimal(item["points"]),
                core.WEIGHTS[factor],
            )
        )
    return rows


def measure(factor: core.Factor, value: str | None) -> str:
    """The measure as a person reads it: '11,5 j', '66,7 %', '2'; '—' when undefined."""
    if value is None:
        return "—"
    number = Decimal(value)
    if factor in (F.DAYS_LATE, F.TREND):
        sign = "+" if factor is F.TREND and number > 0 else ""
        return _("%(days)s j") % {"days": sign + number_format(number, 1)}
    if factor in (F.LATE_SHARE, F.CREDIT_USE, F.DISPUTES):
        return f"{number_format(number * 100, 1)}\u00a0%"
    if factor is F.REMINDERS:
        return number_format(number, 2)
    return number_format(number, 0)


def rule_label(rule: str) -> str:
    try:
        return str(RULES[core.Rule(rule)])
    except ValueError:
        return rule


def band_label(score: int) -> str:
    return str(BANDS[core.band(score)])


def alert_label(alert: RiskAlert) -> str:
    if alert.kind == RiskAlert.Kind.SCORE_DROP:
        return _("Score en chute : %(before)s → %(after)s") % {
            "before": alert.previous_score,
            "after": alert.score,
        }
    if alert.kind == RiskAlert.Kind.CREDIT_LIMIT:
        return _("Encours à %(level)s %% de l'encours autorisé") % {"level": alert.level}
    return _("Commandes bloquées")


def raised_on(alert: RiskAlert) -> str:
    return _("levée le %(day)s") % {"day": date_format(alert.raised_on, "SHORT_DATE_FORMAT")}
