"""The names and one-line definitions of the KPIs, shared by the page, its tooltips and the
Excel export (the full definitions with examples are in docs/kpis.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from relance.core.kpis import Kpis, round_days, share

from .collection import StepRecovery


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


# The collection KPIs (relance.reports.services.MonthPoint attributes): "money" in the
# dashboard's currency, "cost" in the company's (its unit costs).
COLLECTION_LABELS = [
    KpiLabel(
        "unpaid_rate",
        _("Taux d'impayés"),
        "%",
        _(
            "Part du montant des factures échues depuis 91 à 455 jours restée due ou passée en "
            "perte (lettrée par une opération diverse) : (reste dû + passé en perte) / montant "
            "× 100."
        ),
    ),
    KpiLabel(
        "recovered_after_reminders",
        _("Recouvré après relance (mois)"),
        "money",
        _(
            "Règlements lettrés dans le mois sur des factures déjà relancées : chaque montant "
            "revient à la dernière étape envoyée avant la date du lettrage."
        ),
    ),
    KpiLabel(
        "cost_per_invoice",
        _("Coût du recouvrement par facture (mois)"),
        "cost",
        _(
            "Messages envoyés dans le mois × coût unitaire de leur canal, plus les appels × "
            "durée moyenne × coût de la minute, divisés par le nombre de factures relancées."
        ),
    ),
]


@dataclass(frozen=True)
class CollectionRow:
    label: str
    value: Decimal | None  # a percentage rounded to a tenth, or an amount; None: undefined
    unit: str
    definition: str


def collection_rows(point) -> list[CollectionRow]:
    """The collection KPIs of a relance.reports.services.MonthPoint."""
    values = {
        "unpaid_rate": round_days(point.unpaid_rate),
        "recovered_after_reminders": point.recovery.after_reminders,
        "cost_per_invoice": _cents(point.cost_per_invoice),
    }
    return [
        CollectionRow(str(k.label), values[k.attribute], k.unit, str(k.definition))
        for k in COLLECTION_LABELS
    ]


def step_label(step: StepRecovery) -> str:
    """ "Standard — 2. Relance ferme", or what was collected before any step."""
    if step.level is None:
        return str(_("Avant toute relance"))
    name = f"{step.level}. {step.step_name}"
    return f"{step.scenario} — {name}" if step.scenario else name


CHANNEL_LABELS = {
    "email": _("E-mails"),
    "sms": _("SMS"),
    "letter": _("Courriers"),
    "registered_letter": _("Lettres recommandées"),
    "call": _("Appels (étapes)"),
    "task": _("Tâches internes"),
}


def cost_rows(point, costs) -> list[tuple[str, int, Decimal | None, Decimal]]:
    """(channel, count, unit cost, cost) of the month's dunning work; calls by their phone
    time (the call steps themselves cost nothing more)."""
    unit = {
        "email": costs.email,
        "sms": costs.sms,
        "letter": costs.letter,
        "registered_letter": costs.registered_letter,
    }
    rows = []
    for channel, label in CHANNEL_LABELS.items():
        count = point.activity.sent.get(channel, 0)
        if count:
            price = unit.get(channel)
            rows.append((str(label), count, price, (price or Decimal(0)) * count))
    if point.activity.calls:
        minute = costs.phone_minute * costs.minutes_per_call
        label = str(_("Appels passés (durée moyenne × coût de la minute)"))
        rows.append((label, point.activity.calls, minute, minute * point.activity.calls))
    return rows


def evolution_rows(evolution) -> list[dict]:
    """Every KPI of every month, rounded as shown (days and percentages to a tenth)."""
    rows = []
    for point in evolution:
        kpis = point.kpis
        rows.append(
            {
                "as_of": point.as_of,
                "outstanding": point.outstanding,
                "overdue": point.overdue,
                "not_due": point.not_due,
                "share_overdue": round_days(point.share_overdue),
                **{k.attribute: round_days(getattr(kpis, k.attribute)) for k in KPI_LABELS},
                "unpaid_rate": round_days(point.unpaid_rate),
                "collected": point.recovery.collected,
                "recovered_after_reminders": point.recovery.after_reminders,
                "cost": point.cost,
                "cost_per_invoice": _cents(point.cost_per_invoice),
            }
        )
    return rows


def evolution_columns() -> list[tuple[str, str, str]]:
    """(key, label, unit) of the evolution table, in order; unit "money" (the dashboard's
    currency), "cost" (the company's), "j" or "%"."""
    return [
        ("outstanding", str(_("Encours")), "money"),
        ("overdue", str(_("Échu")), "money"),
        ("not_due", str(_("Non échu")), "money"),
        ("share_overdue", str(_("Part échue")), "%"),
        *((k.attribute, str(k.label), k.unit) for k in KPI_LABELS),
        ("unpaid_rate", str(_("Taux d'impayés")), "%"),
        ("collected", str(_("Encaissé (mois)")), "money"),
        ("recovered_after_reminders", str(_("Recouvré après relance (mois)")), "money"),
        ("cost", str(_("Coût du recouvrement (mois)")), "cost"),
        ("cost_per_invoice", str(_("Coût par facture relancée (mois)")), "cost"),
    ]


# One chart per group of KPIs sharing a unit: every KPI of the page has its 12 months drawn.
CHARTS = [
    ("amounts", _("Encours, échu et non échu"), "money",
     ["outstanding", "overdue", "not_due"], "bar"),
    ("dso", _("DSO, meilleur DSO possible et ADD"), "j",
     ["dso_simple", "dso_countback", "best_possible_dso", "add"], "line"),
    ("delays", _("Délai moyen de paiement et retard moyen"), "j",
     ["avg_days_to_pay", "avg_days_late"], "line"),
    ("rates", _("Part échue, CEI et taux d'impayés"), "%",
     ["share_overdue", "cei", "unpaid_rate"], "line"),
    ("recovered", _("Encaissé et recouvré après relance"), "money",
     ["collected", "recovered_after_reminders"], "bar"),
    ("cost", _("Coût du recouvrement par facture relancée"), "cost",
     ["cost_per_invoice"], "line"),
]  # fmt: skip


def chart_data(board) -> dict:
    """What the dashboard's charts draw (relance.reports.services.Dashboard), as JSON numbers;
    the HTML tables beside them stay the accessible reading."""
    rows = evolution_rows(board.evolution)
    names = {key: label for key, label, _unit in evolution_columns()}
    charts = [
        {
            "id": f"chart-{name}",
            "title": str(title),
            "unit": unit,
            "type": kind,
            "series": [
                {"label": names[key], "data": [_number(row[key]) for row in rows]} for key in keys
            ],
        }
        for name, title, unit, keys, kind in CHARTS
    ]
    return {
        "months": [point.as_of.isoformat() for point in board.evolution],
        "charts": charts,
        "aging_labels": [label for label, _, _ in aging_rows(board.kpis)],
        "aging": [float(amount) for _, amount, _ in aging_rows(board.kpis)],
        "labels": {"amount": str(_("Montant")), "days": str(_("jours"))},
    }


def chart_titles() -> list[tuple[str, str]]:
    """(canvas id, title) of the evolution charts, for the page to lay them out."""
    return [(f"chart-{name}", str(title)) for name, title, *_rest in CHARTS]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
