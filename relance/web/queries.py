"""Read-only queries behind the list pages, built to stay fast at 100,000 customers.

The customer list paginates the bare customer queryset and computes balances only for the
rows of the page; only sorting or filtering on balance/overdue annotates the whole set.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from relance.ledger.models import Customer, Invoice
from relance.ledger.services import with_position

PAGE_SIZE = 50


def search_customers(customers: QuerySet[Customer], filters: dict) -> QuerySet[Customer]:
    text = (filters.get("q") or "").strip()
    if text:
        customers = customers.filter(
            Q(code__icontains=text) | Q(name__icontains=text) | Q(siren=text.replace(" ", ""))
        )
    if filters.get("payer_profile"):
        customers = customers.filter(payer_profile=filters["payer_profile"])
    if filters.get("collector"):
        customers = customers.filter(collector=filters["collector"])
    if filters.get("blocked"):
        customers = customers.filter(is_blocked=True)
    return customers


def customer_page(
    customers: QuerySet[Customer], filters: dict, page: str | None, *, today: date, currency: str
) -> Page:
    """One page of customers, each with `balance` and `overdue` in the company currency."""
    customers = search_customers(customers, filters).select_related("collector")
    sort = filters.get("sort") or "name"
    by_position = sort in ("-balance", "-overdue") or filters.get("overdue")
    if by_position:
        customers = with_position(customers, today, currency)
        if filters.get("overdue"):
            customers = customers.filter(overdue__gt=0)
    paginator = Paginator(customers.order_by(sort, "pk"), PAGE_SIZE)
    result = paginator.get_page(page)
    if not by_position:
        result.object_list = _with_position_of_rows(list(result.object_list), today, currency)
    return result


def _with_position_of_rows(rows: list[Customer], today: date, currency: str) -> list[Customer]:
    positions = with_position(
        Customer.objects.filter(pk__in=[row.pk for row in rows]), today, currency
    ).values("pk", "balance", "overdue")
    by_pk = {position["pk"]: position for position in positions}
    for row in rows:
        row.balance, row.overdue = by_pk[row.pk]["balance"], by_pk[row.pk]["overdue"]
    return rows


INVOICE_VIEWS = ("overdue", "due_soon", "open", "all")


def filter_invoices(invoices: QuerySet[Invoice], filters: dict, today: date) -> QuerySet[Invoice]:
    """`show`: overdue, due in the next 7 days, all open items, or everything."""
    show = filters.get("show") or "open"
    if show != "all":
        invoices = invoices.filter(open_amount__positive=True)
    if show == "overdue":
        invoices = invoices.filter(due_on__lt=today, is_credit=False)
    elif show == "due_soon":
        invoices = invoices.filter(due_on__gte=today, due_on__lte=today + timedelta(days=7))
    if filters.get("customer"):
        invoices = invoices.filter(customer__code=filters["customer"])
    if filters.get("q"):
        invoices = invoices.filter(number__icontains=filters["q"].strip())
    return invoices.select_related("customer").order_by("due_on", "number")


def paginate(queryset: QuerySet, page: str | None) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(page)
