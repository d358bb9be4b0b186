"""Rendering of instalment reminders: the reminder's variables (relance.dunning.render) plus
the instalments it asks for (docs/templates.md, "Instalment reminders")."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import translation
from django.utils.dateformat import format as format_date

from relance.core.plans import GRACE_DAYS, NoticeKind
from relance.dunning.models import Reminder
from relance.dunning.render import reminder_context, render_preview
from relance.web.templatetags.relance_format import money

from .texts import instalment_template

_DATES = {"fr": ("d/m/Y", "j F Y"), "en": ("j M Y", "j F Y")}
_COLUMNS = {"fr": ("Échéance", "Date", "Montant"), "en": ("Instalment", "Date", "Amount")}


def render_instalment_reminder(reminder: Reminder) -> tuple[str, str, str]:
    """(subject, text, html) of an instalment reminder, also set on it (not saved)."""
    language = "en" if reminder.language.lower().startswith("en") else "fr"
    notices = list(
        reminder.instalment_notices.select_related("instalment__plan").order_by(
            "instalment__due_on", "instalment__number"
        )
    )
    kind = (
        NoticeKind.OVERDUE
        if any(n.kind == NoticeKind.OVERDUE for n in notices)
        else NoticeKind.BEFORE
    )
    context = {**reminder_context(reminder, language), **instalment_context(reminder, notices)}
    subject, body = instalment_template(language, kind)
    rendered = render_preview(subject, body, context)
    reminder.subject, reminder.body_text, reminder.body_html = rendered
    return rendered


def instalment_context(reminder: Reminder, notices) -> dict:
    language = "en" if reminder.language.lower().startswith("en") else "fr"
    short, long = _DATES[language]
    currency = reminder.currency
    with translation.override(language):
        rows = [
            {
                "number": n.instalment.number,
                "due_on": format_date(n.instalment.due_on, short),
                "amount": money(n.amount, currency),
                "is_overdue": n.kind == NoticeKind.OVERDUE,
            }
            for n in notices
        ]
        plans = {n.instalment.plan for n in notices}
        first = min((n.instalment.due_on for n in notices), default=reminder.planned_on)
        agreed = min((plan.agreed_on for plan in plans), default=reminder.planned_on)
        balance = sum((item.open_amount for item in reminder.listed_items()), Decimal(0))
        return {
            "instalments": rows,
            "instalments_table": _table(rows, _COLUMNS[language]),
            "instalments_total": money(reminder.amount, currency),
            "plan_date": format_date(agreed, long),
            "plan_balance": money(balance, currency),
            "breach_on": format_date(first + timedelta(days=GRACE_DAYS + 1), long),
        }


def _table(rows: list[dict], columns: tuple[str, ...]) -> str:
    lines = [columns] + [(f"n° {r['number']}", r["due_on"], r["amount"]) for r in rows]
    widths = [max(len(line[col]) for line in lines) for col in range(3)]
    return "\n".join(
        f"{a.ljust(widths[0])}  {b.ljust(widths[1])}  {c.rjust(widths[2])}" for a, b, c in lines
    )
