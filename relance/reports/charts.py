"""The dashboard's charts drawn on the server as PNG images, for the weekly e-mail report
(matplotlib's object-oriented API on the Agg canvas: no pyplot, no display, no global state,
safe in a worker thread). The same groups of KPIs as the page's charts (labels.CHARTS), in
the language active when called."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .labels import chart_data

COLOURS = ["#4a7fb5", "#d9534f", "#5cb85c", "#8e6c8a", "#f0ad4e"]
AGING_COLOURS = ["#5cb85c", "#f0ad4e", "#ec971f", "#d9534f", "#c9302c", "#8b1e1b"]
UNITS = {"j": "j", "%": "%", "money": "", "cost": ""}


@dataclass(frozen=True)
class ChartImage:
    content_id: str  # the cid: the HTML refers to
    title: str
    png: bytes


def chart_images(board) -> list[ChartImage]:
    """One PNG per evolution chart, then the aging (relance.reports.services.Dashboard)."""
    # matplotlib is imported here: only the weekly report pays for it.
    from matplotlib.figure import Figure

    data = chart_data(board)
    months = [date_format(point.as_of, "M y") for point in board.evolution]
    images = []
    for spec in data["charts"]:
        figure = Figure(figsize=(7, 3), dpi=96)
        axes = figure.subplots()
        _draw(axes, spec, months)
        images.append(ChartImage(spec["id"], spec["title"], _png(figure)))
    images.append(ChartImage("chart-aging", _("Balance âgée"), _aging(Figure, data)))
    return images


def _draw(axes, spec: dict, months: list[str]) -> None:
    series = spec["series"]
    positions = range(len(months))
    for index, one in enumerate(series):
        values = [float("nan") if v is None else v for v in one["data"]]
        colour = COLOURS[index % len(COLOURS)]
        if spec["type"] == "bar":
            width = 0.8 / len(series)
            shifted = [p - 0.4 + width * (index + 0.5) for p in positions]
            axes.bar(shifted, values, width=width, color=colour, label=one["label"])
        else:
            axes.plot(list(positions), values, marker="o", color=colour, label=one["label"])
    axes.set_title(spec["title"], fontsize=10)
    axes.set_xticks(list(positions), months, fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    if UNITS[spec["unit"]]:
        axes.set_ylabel(UNITS[spec["unit"]], fontsize=8)
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=7, loc="upper left")


def _aging(figure_class, data: dict) -> bytes:
    figure = figure_class(figsize=(7, 2.6), dpi=96)
    axes = figure.subplots()
    labels = list(reversed(data["aging_labels"]))
    axes.barh(labels, list(reversed(data["aging"])), color=list(reversed(AGING_COLOURS)))
    axes.set_title(_("Balance âgée"), fontsize=10)
    axes.tick_params(labelsize=7)
    axes.grid(axis="x", alpha=0.3)
    return _png(figure)


def _png(figure) -> bytes:
    out = BytesIO()
    figure.tight_layout()
    figure.savefig(out, format="png")
    return out.getvalue()
