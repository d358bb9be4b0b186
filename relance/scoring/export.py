"""The scoring page as an Excel workbook: one row per customer, each factor's points."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relance.core.scoring import Factor
from relance.ledger.models import Company, Customer
from relance.reports.export import _rows  # the dashboard's writer: numbers as numbers
from relance.web.forms import PAYER_PROFILES

from .labels import FACTORS, band_label, rule_label
from .models import Score

PROFILE_LABELS = dict(PAYER_PROFILES)


def scores_workbook(company: Company, customers: QuerySet[Customer], today: date) -> bytes:
    """Every customer of `customers` (scored_customers: filtered, riskiest first)."""
    from openpyxl import Workbook  # only exports pay for it

    book = Workbook()
    sheet = book.active
    sheet.title = _("Scores de risque")
    _rows(sheet, [(_("Société"), company.name), (_("Extrait le"), today)])
    header = [_("Code client"), _("Client"), _("Profil payeur"), _("Score"), _("Risque"),
              _("Calculé le"), _("Profil suggéré"), _("Règle")]  # fmt: skip
    header += [f"{FACTORS[factor]} ({_('points')})" for factor in Factor]
    rows = [header]
    for chunk in _chunks(customers):
        scores = Score.objects.in_bulk([c.score_id for c in chunk if c.score_id])
        rows += [_line(customer, scores.get(customer.score_id)) for customer in chunk]
    _rows(sheet, rows)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _line(customer: Customer, score: Score | None) -> list:
    line = [customer.code, customer.name, str(PROFILE_LABELS.get(customer.payer_profile, ""))]
    if score is None:
        return line
    points = {item["factor"]: float(item["points"]) for item in score.factors}
    suggested = PROFILE_LABELS.get(score.suggested_profile, "")
    line += [score.score, band_label(score.score), score.computed_on, str(suggested),
             rule_label(score.rule)]  # fmt: skip
    return line + [points.get(factor.value) for factor in Factor]


def _chunks(customers: QuerySet[Customer], size: int = 2000):
    chunk = []
    for customer in customers.iterator(chunk_size=size):
        chunk.append(customer)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
