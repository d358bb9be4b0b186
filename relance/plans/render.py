"""Rendering of instalment reminders: the reminder's variables (relance.dunning.render) plus
the instalments it asks for (docs/templates.md, "Instalment reminders"), in the company's own
text for that kind and language when it wrote one, else the default text (texts.py)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.utils import translation
from django.utils.dateformat import format as format_date
from django.utils.timezone import localdate

from relance.core.plans import GRACE_DAYS, NOTICE_DAYS, OVERDUE_AFTER_DAYS, NoticeKind
from relance.dunning.models import Reminder
from relance.dunning.render import (
    TemplateTextError,
    example_context,
    reminder_context,
    render_preview,
)
from relance.web.templatetags.relance_format import money

from .models import InstalmentTemplate
from .texts import instalment_template

log = logging.getLogger(__name__)
_DATES = {"fr": ("d/m/Y", "j F Y"), "en": ("j M Y", "j F Y")}
_COLUMNS = {"fr": ("Échéance", "Date", "Montant"), "en": ("Instalment", "Date", "Amount")}


def render_instalment_reminder(reminder: Reminder) -> tuple[str, str, str]:
    """(subject, text, html) of an instalment reminder, also set on it (not saved)."""
    language = _language(reminder.language)
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
    subject, body = instalment_text(reminder.company, language, kind)
    try:
        rendered = render_preview(subject, body, context)
    except TemplateTextError as error:  # saved texts are checked; a later change may break one
        log.warning(
            "%s: instalment text %s/%s unusable: %s", reminder.company_id, kind, language, error
        )
        rendered = render_preview(*instalment_template(language, kind), context)
    reminder.subject, reminder.body_text, reminder.body_html = rendered
    return rendered


def instalment_text(company, language: str, kind: NoticeKind) -> tuple[str, str]:
    """(subject, body): the company's own text for this kind and language, else the default
    one of that language (an English customer never gets a French text written for others)."""
    language = _language(language)
    stored = InstalmentTemplate.objects.filter(
        company=company, kind=kind.value, language=language
    ).first()
    return (stored.subject, stored.body) if stored else instalment_template(language, kind)


def instalment_context(reminder: Reminder, notices) -> dict:
    currency = reminder.currency
    rows = [
        (n.instalment.number, n.instalment.due_on, n.amount, n.kind == NoticeKind.OVERDUE)
        for n in notices
    ]
    plans = {n.instalment.plan for n in notices}
    balance = sum((item.open_amount for item in reminder.listed_items()), Decimal(0))
    return _variables(
        _language(reminder.language),
        currency,
        rows,
        asked=reminder.amount,
        agreed_on=min((plan.agreed_on for plan in plans), default=reminder.planned_on),
        balance=balance,
        default_day=reminder.planned_on,
    )


def example_instalment_context(company, language: str, kind: NoticeKind, today=None) -> dict:
    """The variables of an instalment reminder on the preview's example customer
    (relance.dunning.render.example_context): its second instalment of 1,500.00, due in
    NOTICE_DAYS days, or OVERDUE_AFTER_DAYS days late."""
    language, today = _language(language), today or localdate()
    context = example_context(company, language, today, mentions_penalties=False)
    late = kind == NoticeKind.OVERDUE
    due_on = today - timedelta(OVERDUE_AFTER_DAYS) if late else today + timedelta(NOTICE_DAYS)
    amount = Decimal("1500.00")
    variables = _variables(
        language,
        company.currency,
        [(2, due_on, amount, late)],
        asked=amount,
        agreed_on=today - timedelta(days=40),
        balance=Decimal("3500.00"),
        default_day=today,
    )
    return {**context, **variables, "total": variables["instalments_total"]}


def _variables(language, currency, rows, *, asked, agreed_on, balance, default_day) -> dict:
    """rows: (number, due_on, amount still asked, is_overdue) of each instalment reminded."""
    short, long = _DATES[language]
    with translation.override(language):
        formatted = [
            {
                "number": number,
                "due_on": format_date(due_on, short),
                "amount": money(amount, currency),
                "is_overdue": is_overdue,
            }
            for number, due_on, amount, is_overdue in rows
        ]
        first: date = min((row[1] for row in rows), default=default_day)
        return {
            "instalments": formatted,
            "instalments_table": _table(formatted, _COLUMNS[language]),
            "instalments_total": money(asked, currency),
            "plan_date": format_date(agreed_on, long),
            "plan_balance": money(balance, currency),
            "breach_on": format_date(first + timedelta(days=GRACE_DAYS + 1), long),
        }


def _table(rows: list[dict], columns: tuple[str, ...]) -> str:
    lines = [columns] + [(f"n° {r['number']}", r["due_on"], r["amount"]) for r in rows]
    widths = [max(len(line[col]) for line in lines) for col in range(3)]
    return "\n".join(
        f"{a.ljust(widths[0])}  {b.ljust(widths[1])}  {c.rjust(widths[2])}" for a, b, c in lines
    )


def _language(language: str) -> str:
    return "en" if (language or "").lower().startswith("en") else "fr"
