"""Amounts and days in the user's language: 1 234,56 € in French, €1,234.56 in English."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.filter
def money(value, currency: str = "EUR") -> str:
    if value is None or value == "":
        return ""
    number = number_format(Decimal(value), 2, force_grouping=True)
    symbol = SYMBOLS.get(currency, currency)
    if (get_language() or "fr").startswith("fr"):
        return f"{number}\u00a0{symbol}"
    sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
    return f"{sign}{symbol}{digits}" if len(symbol) == 1 else f"{number}\u00a0{symbol}"


@register.filter
def days_overdue(due_on, today) -> int:
    """Days past the due date, 0 when not yet due."""
    return max(0, (today - due_on).days) if due_on and today else 0


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (pagination, sorting)."""
    params = context["request"].GET.copy()
    for name, value in changes.items():
        params[name] = value
    return "?" + params.urlencode()
