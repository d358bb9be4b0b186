"""Risk alerts on the collector's agenda (relance.dunning.agenda, kind "risk_alerts"): the
alerts nobody has marked seen yet, with a one-click "Vu"."""

from __future__ import annotations

from django.db.models import QuerySet

from relance.dunning.agenda import Entry, Work

from .labels import alert_label, raised_on
from .models import RiskAlert


def open_alerts(work: Work) -> QuerySet[RiskAlert]:
    """Open alerts of the member's customers, the latest first (one query on the partial
    index of open alerts)."""
    return (
        RiskAlert.objects.filter(
            company=work.company, customer__in=work.customers, seen_at__isnull=True
        )
        .select_related("customer")
        .order_by("-raised_on", "-pk")
    )


def alert_entries(work: Work, rows) -> list[Entry]:
    """The outstanding at the alert as the amount at stake; the days since it was raised as
    its lateness."""
    return [
        Entry(
            "risk_alerts",
            alert.customer,
            alert_label(alert),
            alert.amount,
            alert.currency,
            work._days(alert.raised_on),
            ("risk_alert_seen", alert.pk),
            detail=raised_on(alert),
        )
        for alert in rows
    ]
