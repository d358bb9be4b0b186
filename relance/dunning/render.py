"""Rendering of reminders: the variables, the step's template, the text and HTML versions.

Templates are edited by users, so they run in a bare template engine (no loaders, no tag
libraries, a short list of allowed tags) over plain dicts and strings, never model instances.
The variables are documented in docs/templates.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateformat import format as format_date
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join, linebreaks, urlize
from django.utils.safestring import mark_safe
from django.utils.timezone import localdate

from relance.core.matching import creditor_reference
from relance.web.templatetags.relance_format import money

from .models import Reminder, Step, StepTemplate
from .texts import default_template, thanks_template

log = logging.getLogger(__name__)
_TEXT_ENGINE = Engine(autoescape=False)
# Everything else ({% load %}, {% include %}, {% debug %}, ...) could reach outside the context.
# fmt: off
_ALLOWED_TAGS = frozenset([
    "if", "elif", "else", "endif", "for", "empty", "endfor", "with", "endwith", "comment",
    "endcomment", "firstof", "cycle", "now", "spaceless", "endspaceless", "filter", "endfilter",
    "regroup", "widthratio", "templatetag",
])
# fmt: on
_TAG = re.compile(r"{%-?\s*(\w+)")
# Where the tables go in the HTML version: plain words that escaping and urlize leave alone.
_TABLE_TOKENS = {"items_table": "RELANCEITEMSTABLE", "overdue_items_table": "RELANCEOVERDUETABLE"}
_LABELS = {
    "fr": {
        "columns": ("Facture", "Date", "Échéance", "Retard (j)", "Reste dû"),
        "nobody": "Madame, Monsieur",
        "collector": "Le service comptabilité clients",
        "example_step": "Relance ferme",
    },
    "en": {
        "columns": ("Invoice", "Date", "Due date", "Days late", "Amount due"),
        "nobody": "Sir or Madam",
        "collector": "Accounts Receivable",
        "example_step": "Firm reminder",
    },
}
_DATE_FORMATS = {"fr": ("d/m/Y", "j F Y"), "en": ("j M Y", "j F Y")}


class TemplateTextError(ValueError):
    """A template text that cannot be rendered (syntax error or forbidden tag)."""


@dataclass(frozen=True)
class _Line:
    """One listed open item, whatever it comes from (a reminder or the preview example)."""

    number: str
    issued_on: date
    due_on: date
    open_amount: Decimal
    currency: str
    is_credit: bool = False


def render_reminder(reminder: Reminder) -> tuple[str, str, str]:
    """(subject, text, html) of a reminder: its step's stored template in the customer's
    language, else the French one, else the default text. Also set on the reminder (not
    saved), as relance.dunning.sending expects."""
    subject, body, language = _template_of(reminder)
    rendered = render_preview(subject, body, reminder_context(reminder, language))
    reminder.subject, reminder.body_text, reminder.body_html = rendered
    return rendered


def render_thanks(reminder: Reminder) -> tuple[str, str, str]:
    """(subject, text, html) of the thank-you message once a reminded customer has paid."""
    subject, body = thanks_template(reminder.language)
    return render_preview(subject, body, reminder_context(reminder))


def render_preview(subject: str, body: str, source: Reminder | dict) -> tuple[str, str, str]:
    """Render an edited template over a reminder or a context (see `example_context`).

    Raises TemplateTextError, with a message to show beside the editor."""
    context = source if isinstance(source, dict) else reminder_context(source)
    subject_text = " ".join(_render(subject, context).split())
    text = _render(body, context)
    html_body = _html_body(_render(body, {**context, **_TABLE_TOKENS}), context)
    html = render_to_string(
        "dunning/email.html",
        {"subject": subject_text, "body": html_body, **context},
    )
    return subject_text, text, html


def reminder_context(reminder: Reminder, language: str | None = None) -> dict:
    """The variables of a reminder, formatted in `language` (default: the reminder's)."""
    language = _language(language or reminder.language)
    labels, customer = _LABELS[language], reminder.customer
    lines = [
        _Line(
            row.invoice.number,
            row.invoice.issued_on,
            row.invoice.due_on,
            row.open_amount,
            row.invoice.currency,
            row.invoice.is_credit,
        )
        for row in reminder.listed_items()
    ]
    parties = {
        "customer": _customer(customer),
        "contact": _contact(customer, labels["nobody"]),
        "collector": _collector(customer, labels["collector"]),
    }
    return _context(
        reminder.company,
        parties,
        lines,
        today=reminder.planned_on,
        language=language,
        totals=(reminder.amount, reminder.overdue_amount, reminder.currency),
        # Consumers owe neither L441-10 interest nor the D441-5 indemnity.
        penalties=reminder.mentions_penalties and not customer.is_consumer,
        step={"name": reminder.step_name, "level": reminder.level},
        customer=customer,
        link=SelfServiceLink(reminder),
    )


def example_context(
    company, language: str, today: date | None = None, mentions_penalties: bool = True
) -> dict:
    """A realistic example for previews: one business customer, three invoices, one of
    them 45 days overdue (only the company is real)."""
    language, today = _language(language), today or localdate()
    labels = _LABELS[language]

    def line(number: str, issued_days_ago: int, due_in_days: int, amount: str) -> _Line:
        issued_on, due_on = today - timedelta(issued_days_ago), today + timedelta(due_in_days)
        return _Line(number, issued_on, due_on, Decimal(amount), company.currency)

    lines = [
        line("F2026-0112", 75, -45, "1440.00"),
        line("F2026-0187", 25, 5, "2760.00"),
        line("F2026-0203", 5, 25, "864.50"),
    ]
    parties = {
        "customer": {
            "name": "Menuiserie Durand SARL",
            "code": "C0042",
            "address": "8 rue des Artisans, 69007 Lyon",
            "is_consumer": False,
        },
        "contact": {
            "name": "Claire Durand",
            "email": "compta@menuiserie-durand.fr",
            "phone": "+33 4 78 00 00 00",
            "has_name": True,
        },
        "collector": {"name": labels["collector"], "email": ""},
    }
    total = sum((item.open_amount for item in lines), Decimal(0))
    return _context(
        company,
        parties,
        lines,
        today=today,
        language=language,
        totals=(total, lines[0].open_amount, company.currency),
        penalties=mentions_penalties,
        step={"name": labels["example_step"], "level": 3},
    )


_kept: ContextVar[dict | None] = ContextVar("relance_step_texts", default=None)


@contextmanager
def step_texts_kept() -> Iterator[None]:
    """Within: each step's texts are read from the database once (a sending batch renders
    many reminders of a few steps), not once per reminder."""
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def _template_of(reminder: Reminder) -> tuple[str, str, str]:
    """(subject, body, language) for the reminder's step: stored, French stored, default."""
    kept = _kept.get()
    if kept is None:
        return _read_template(reminder)
    key = (reminder.scenario_id, reminder.level, reminder.language, reminder.step_name,
           reminder.channel, reminder.escalation)  # fmt: skip
    if key not in kept:
        kept[key] = _read_template(reminder)
    return kept[key]


def _read_template(reminder: Reminder) -> tuple[str, str, str]:
    language = _language(reminder.language)
    step = Step.objects.filter(scenario_id=reminder.scenario_id, level=reminder.level).first()
    if step is not None:
        stored = {t.language: t for t in StepTemplate.objects.filter(step=step)}
        for candidate in (language, "fr"):
            if candidate in stored:
                return stored[candidate].subject, stored[candidate].body, candidate
    # The scenario may be gone (SET_NULL) or edited since: the reminder knows its own step.
    step = step or Step(
        level=reminder.level,
        name=reminder.step_name,
        offset_days=0,
        channel=reminder.channel,
        escalation=reminder.escalation,
    )
    return *default_template(step, language), language


def _render(text: str, context: dict) -> str:
    try:
        rendered = _compiled(text).render(Context(context, autoescape=False))
    except TemplateSyntaxError as error:
        raise TemplateTextError(str(error)) from None
    # An empty {% if %} paragraph leaves blank lines: fold them into one paragraph break.
    rendered = re.sub(r"[ \t]+\n", "\n", rendered)
    return re.sub(r"\n{3,}", "\n\n", rendered).strip()


@lru_cache(maxsize=512)
def _compiled(text: str) -> Template:
    """A step's subject or body, checked and compiled once per process: a sending pass renders
    the same few texts for thousands of reminders (compiling them each time was a third of
    the sending time). Keyed by the text itself, so an edited text is compiled anew; a text
    that fails is not kept, and fails again the same way."""
    for tag in _TAG.findall(text):
        if tag not in _ALLOWED_TAGS:
            raise TemplateTextError(f"balise non autorisée : {{% {tag} %}}")
    return _TEXT_ENGINE.from_string(text)


def _html_body(text: str, context: dict) -> str:
    """The text as escaped HTML paragraphs with links, and the items as real tables."""
    html = linebreaks(urlize(text, autoescape=True))
    for name, token in _TABLE_TOKENS.items():
        overdue_only = name == "overdue_items_table"
        table = _items_html(context, overdue_only)
        html = html.replace(f"<p>{token}</p>", table).replace(token, table)
    return mark_safe(html)  # escaped by urlize and format_html


def _items_html(context: dict, overdue_only: bool) -> str:
    items = [i for i in context["items"] if i["is_overdue"] or not overdue_only]
    head = format_html_join("", "<th>{}</th>", ((label,) for label in context["columns"]))
    rows = format_html_join(
        "",
        '<tr><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td></tr>',
        ((i["number"], i["issued_on"], i["due_on"], i["days_late"] or "", i["open_amount"])
         for i in items),
    )  # fmt: skip
    return format_html('<table class="items"><tr>{}</tr>{}</table>', head, rows)


def _context(
    company, parties, lines, *, today, language, totals, penalties, step, customer=None, link=""
) -> dict:
    labels, (total, overdue_total, currency) = _LABELS[language], totals
    lines = sorted(lines, key=lambda i: (i.is_credit, i.due_on >= today, i.due_on, i.number))
    items = [_item(line, today, language) for line in lines]
    overdue = [line for line in lines if not line.is_credit and line.due_on < today]
    with translation.override(language):
        return {
            "language": language,
            "company": _company(company),
            **parties,
            "items": items,
            "payment_reference": _payment_reference(items),
            "items_table": _items_table(items, labels["columns"]),
            "overdue_items_table": _items_table(
                [item for item in items if item["is_overdue"]], labels["columns"]
            ),
            "columns": labels["columns"],
            "total": money(total, currency),
            "overdue_total": money(overdue_total, currency),
            "currency": currency,
            "days_late": max((item["days_late"] for item in items), default=0),
            "date": format_date(today, _DATE_FORMATS[language][1]),
            "step": step,
            "self_service_url": link,
            **_penalties(company, overdue, today, currency, penalties, language, customer),
        }


class SelfServiceLink:
    """The reminder's link to the debtor's page (relance.portal.links), issued the first time
    a text shows it: a letter's layout or a call sheet that never prints it issues none, and
    the sender issues those of a batch in one INSERT beforehand."""

    def __init__(self, reminder: Reminder) -> None:
        self.reminder = reminder

    def __str__(self) -> str:
        from relance.portal.links import link_for  # the portal app builds on this one

        return link_for(self.reminder)

    def __bool__(self) -> bool:
        return bool(str(self))


def _item(line: _Line, today: date, language: str) -> dict:
    short = _DATE_FORMATS[language][0]
    amount = -line.open_amount if line.is_credit else line.open_amount
    with translation.override(language):
        return {
            "number": line.number,
            "reference": _reference(line.number),
            "issued_on": format_date(line.issued_on, short),
            "due_on": format_date(line.due_on, short),
            "days_late": 0 if line.is_credit else max(0, (today - line.due_on).days),
            "open_amount": money(amount, line.currency),
            "currency": line.currency,
            "is_credit": line.is_credit,
            "is_overdue": not line.is_credit and line.due_on < today,
        }


def _reference(number: str) -> str:
    """The ISO 11649 creditor reference of the invoice, which bank matching recognises when
    the debtor quotes it ("" when the number cannot make one: over 21 characters)."""
    try:
        return creditor_reference(number)
    except ValueError:
        return ""


def _payment_reference(items: list[dict]) -> str:
    """The one reference to quote when a single invoice is asked for; with several, the
    debtor quotes the invoice numbers."""
    asked = [item for item in items if not item["is_credit"]]
    return asked[0]["reference"] if len(asked) == 1 else ""


def _items_table(items: list[dict], columns: tuple[str, ...]) -> str:
    """A plain-text table, amounts and days right-aligned (reads well in a fixed font)."""
    rows = [columns] + [
        (i["number"], i["issued_on"], i["due_on"], str(i["days_late"] or ""), i["open_amount"])
        for i in items
    ]
    widths = [max(len(row[col]) for row in rows) for col in range(len(columns))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=False)]
        cells += [cell.rjust(width) for cell, width in zip(row[3:], widths[3:], strict=False)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def _penalties(
    company, overdue, today: date, currency: str, applies: bool, language, customer=None
) -> dict:
    """L441-10 interest and the D441-5 indemnity (relance.core.interest, with the rate table
    of relance.legal); empty strings when the step does not mention them or the customer is
    a consumer. Without a customer (the preview example), a business debtor."""
    from relance.core import interest
    from relance.legal import convert as legal
    from relance.legal.services import amounts_for

    empty = {"interest": "", "indemnity": "", "interest_rate": ""}
    if not applies or not overdue:
        return empty
    try:
        if customer is not None:
            terms, amounts = legal.terms(company, customer), amounts_for(customer, overdue, today)
        else:
            terms = interest.Terms(interest.DebtorKind.BUSINESS, company.late_interest_rate)
            late = [
                interest.LateInvoice(i.number, i.due_on, i.open_amount, i.currency) for i in overdue
            ]
            amounts = interest.penalties(late, today, terms, legal.rate_table())
        rate = interest.rate_on(today, terms, legal.rate_table())
    except interest.MissingRatesError as error:
        # The paragraph is left out rather than stating a wrong figure; an admin adds the rates.
        log.warning("%s: interest not stated: %s", company.code, error)
        return empty
    return {
        "interest": money(amounts.total_interest, currency),
        "indemnity": money(amounts.total_indemnity, "EUR") if amounts.total_indemnity else "",
        "interest_rate": number_format(rate, 2) + ("\u00a0%" if language == "fr" else "%"),
    }


def _company(company) -> dict:
    return {
        "name": company.name,
        "address": _address(company),
        "city": company.city,
        "iban": " ".join(company.iban[i : i + 4] for i in range(0, len(company.iban), 4)),
        "bic": company.bic,
        "siren": company.siren,
        "vat_number": company.vat_number,
        "phone": getattr(company, "phone", ""),
        "email": getattr(company, "email", ""),
    }


def _customer(customer) -> dict:
    return {
        "name": customer.name,
        "code": customer.code,
        "address": _address(customer),
        "is_consumer": customer.is_consumer,
    }


def _contact(customer, nobody: str) -> dict:
    """The billing contact (else accounting, else any); 'Madame, Monsieur' when unnamed."""
    order = {"billing": 0, "accounting": 1}
    contacts = sorted(customer.contacts.all(), key=lambda c: (order.get(c.role, 2), c.pk))
    if not contacts:
        return {"name": nobody, "email": "", "phone": "", "has_name": False}
    found = contacts[0]
    return {
        "name": found.name or nobody,
        "email": found.email,
        "phone": found.phone or found.mobile,
        "has_name": bool(found.name),
    }


def _collector(customer, fallback: str) -> dict:
    user = customer.collector
    if user is None:
        return {"name": fallback, "email": ""}
    return {"name": user.get_full_name() or user.get_username(), "email": user.email}


def _address(party) -> str:
    town = " ".join(part for part in (party.postal_code, party.city) if part)
    return ", ".join(part for part in (party.address, town) if part)


def _language(language: str) -> str:
    return "en" if (language or "").lower().startswith("en") else "fr"
