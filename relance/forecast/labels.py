"""The words of the cash-in calendar, shared by the page, its chart and the Excel export."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from relance.core.forecast_calendar import CalendarRow, Period, RowKind, Source

SOURCE_LABELS = {
    Source.PLAN: _("Échéancier"),
    Source.PROMISE: _("Promesse de règlement"),
    Source.PREDICTION: _("Date prévue"),
    Source.DUE_DATE: _("Échéance (pas encore de prévision)"),
    Source.UNKNOWN: _("Sans date prévisible"),
}

PERIOD_LABELS = {Period.DAY: _("Jour"), Period.WEEK: _("Semaine"), Period.MONTH: _("Mois")}


def source_label(source: Source):
    return SOURCE_LABELS[source]


def row_label(row: CalendarRow, period: Period):
    if row.kind is RowKind.LATE:
        return _("Date dépassée")
    if row.kind is RowKind.LATER:
        return _("Au-delà")
    if row.kind is RowKind.UNDATED:
        return _("Sans date prévisible")
    if period is Period.MONTH:
        return date_format(row.start, "F Y").capitalize()
    if period is Period.WEEK:
        return _("Semaine du %(day)s") % {"day": date_format(row.start, "SHORT_DATE_FORMAT")}
    return f"{date_format(row.start, 'D')} {date_format(row.start, 'SHORT_DATE_FORMAT')}"


def chart_data(cash) -> dict:
    """The chart's series (the late line and the periods; the table holds the rest), as
    plain floats for json_script."""
    rows = [row for row in cash.rows if row.kind in (RowKind.LATE, RowKind.PERIOD)]
    return {
        "labels": [str(row_label(row, cash.period)) for row in rows],
        "expected": [float(row.expected) for row in rows],
        "naive": [float(row.naive) for row in rows],
        "cumulative": [float(row.cumulative) for row in rows],
        "low": [float(row.low) for row in rows],
        "high": [float(row.high) for row in rows],
        "cumulative_naive": [float(row.cumulative_naive) for row in rows],
        "names": {
            "expected": str(_("Attendu (prévision, promesses, échéanciers)")),
            "naive": str(_("À l'échéance")),
            "cumulative": str(_("Cumul attendu")),
            "low": str(_("Cumul au plus bas")),
            "high": str(_("Cumul au plus haut")),
            "cumulative_naive": str(_("Cumul à l'échéance")),
            "period": str(_("Par période")),
            "total": str(_("Cumul")),
        },
    }
