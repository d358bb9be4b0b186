"""The names and one-line definitions of the KPIs, shared by the page, its tooltips and the
Excel export (the full definitions with examples are in docs/kpis.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from relance.core.kpis import Kpis, round_days, share


@dataclass(frozen=True)
class KpiLabel:
    attribute: str
    label: str
    unit: str  # "j" (days) or "%"
    definition: str


KPI_LABELS = [
    KpiLabel(
        "dso_simple",
        _("DSO (méthode simple)"),
        "j",
        _("Encours / chiffre d'affaires TTC des 90 derniers jours × 90."),
    ),
    KpiLabel(
        "dso_countback",
        _("DSO (méthode countback)"),
        "j",
        _(
            "On retire de l'encours le chiffre d'affaires de chaque mois, du plus récent au "
            "plus ancien, en comptant ses jours, jusqu'à épuiser l'encours."
        ),
    ),
    KpiLabel(
        "best_possible_dso",
        _("Meilleur DSO possible"),
        "j",
        _(
            "Encours non échu / chiffre d'affaires TTC des 90 derniers jours × 90 : le DSO si "
            "tous les clients payaient à l'échéance."
        ),
    ),
    KpiLabel(
        "add",
        _("Jours de retard dans le DSO (ADD)"),
        "j",
        _("DSO simple − meilleur DSO possible : les jours perdus à cause des retards."),
    ),
    KpiLabel(
        "cei",
        _("Efficacité du recouvrement (CEI, 1 mois)"),
        "%",
        _(
            "(Encours d'ouverture + ventes du mois − encours de clôture) / (encours "
            "d'ouverture + ventes du mois − encours non échu de clôture) × 100."
        ),
    ),
    KpiLabel(
        "avg_days_to_pay",
        _("Délai moyen de paiement"),
        "j",
        _(
            "Jours entre la date de facture et le lettrage complet, pondérés par le montant, "
            "des factures soldées dans les 90 derniers jours."
        ),
    ),
    KpiLabel(
        "avg_days_late",
        _("Retard moyen"),
        "j",
        _(
            "Jours entre l'échéance et le lettrage complet (0 si payée à temps), pondérés par "
            "le montant, des factures soldées dans les 90 derniers jours."
        ),
    ),
]


@dataclass(frozen=True)
class KpiRow:
    label: str
    value: Decimal | None  # rounded to a tenth; None when undefined
    unit: str
    definition: str


def kpi_rows(kpis: Kpis) -> list[KpiRow]:
    return [
        KpiRow(str(k.label), round_days(getattr(kpis, k.attribute)), k.unit, str(k.definition))
        for k in KPI_LABELS
    ]


BUCKET_LABELS = {
    "not_due": _("Non échu"),
    "1-30": _("Échu de 1 à 30 j"),
    "31-60": _("Échu de 31 à 60 j"),
    "61-90": _("Échu de 61 à 90 j"),
    "91-180": _("Échu de 91 à 180 j"),
    "180+": _("Échu depuis plus de 180 j"),
}


def aging_rows(kpis: Kpis) -> list[tuple[str, Decimal, Decimal | None]]:
    """(label, amount, share of the outstanding in percent) per bucket."""
    total = kpis.aging.outstanding
    return [
        (str(BUCKET_LABELS[name]), amount, round_days(share(amount, total)))
        for name, amount in kpis.aging.by_bucket().items()
    ]


def chart_data(board) -> dict:
    """What the dashboard's charts draw (relance.reports.services.Dashboard), as JSON numbers;
    the HTML tables beside them stay the accessible reading."""
    evolution = board.evolution
    return {
        "months": [point.as_of.isoformat() for point in evolution],
        "outstanding": [float(point.outstanding) for point in evolution],
        "overdue": [float(point.overdue) for point in evolution],
        "dso": [_number(point.dso_simple) for point in evolution],
        "aging_labels": [label for label, _, _ in aging_rows(board.kpis)],
        "aging": [float(amount) for _, amount, _ in aging_rows(board.kpis)],
        "labels": {
            "outstanding": str(_("Encours")),
            "overdue": str(_("Échu")),
            "dso": str(_("DSO simple (j)")),
            "amount": str(_("Montant")),
        },
    }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(round_days(value))
