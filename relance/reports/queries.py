"""Set-based readers of the ledger as of a date, for relance.core.kpis.

"As of D": an item issued (a payment received) on or before D, less its allocations dated on
or before D. The stored open amounts already have every allocation taken off, so what was open
on D is the open amount now plus the allocations dated after D: the reader goes through the
open items (the partial index on open items) and the allocations after D (the
(company, allocated_on) index), never through the whole settled history.

Payments of no known customer are left out: they are nobody's credit. `customers` (a
queryset, e.g. relance.team.access.visible_customers) limits every figure to a portfolio.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Case, F, Max, Q, QuerySet, Sum, When

from relance.core.kpis import (
    BUCKETS,
    AccountAging,
    Aging,
    PaidInvoice,
    bucket_due_dates,
    portfolio_aging,
)
from relance.core.ledger import account_position
from relance.core.money import round_money
from relance.core.records import ItemKind
from relance.ledger.models import Allocation, Company, Customer, Invoice, Payment

BUCKET_COUNT = len(BUCKETS)

# Open items (debit or credit) and unallocated payments as of %(as_of)s, one row per piece of
# money: the open amount now, plus each allocation dated after the as-of date.
ITEMS_AS_OF = """
WITH items AS (
    SELECT i.customer_id, i.currency, i.due_on,
           CASE WHEN i.is_credit THEN 0 ELSE i.open_amount END AS debit,
           CASE WHEN i.is_credit THEN i.open_amount ELSE 0 END AS credit
    FROM {invoice} i
    WHERE i.company_id = %s AND i.open_amount > 0 AND i.issued_on <= %s {scope_i}
    UNION ALL
    SELECT i.customer_id, i.currency, i.due_on, a.amount, 0
    FROM {allocation} a JOIN {invoice} i ON i.id = a.invoice_id
    WHERE a.company_id = %s AND a.allocated_on > %s AND i.issued_on <= %s {scope_i}
    UNION ALL
    SELECT i.customer_id, i.currency, i.due_on, 0, a.amount
    FROM {allocation} a JOIN {invoice} i ON i.id = a.credit_item_id
    WHERE a.company_id = %s AND a.allocated_on > %s AND i.issued_on <= %s {scope_i}
    UNION ALL
    SELECT p.customer_id, p.currency, p.received_on, 0, p.unallocated_amount
    FROM {payment} p
    WHERE p.company_id = %s AND p.unallocated_amount > 0 AND p.received_on <= %s
          AND p.customer_id IS NOT NULL {scope_p}
    UNION ALL
    SELECT p.customer_id, p.currency, p.received_on, 0, a.amount
    FROM {allocation} a JOIN {payment} p ON p.id = a.payment_id
    WHERE a.company_id = %s AND a.allocated_on > %s AND p.received_on <= %s
          AND p.customer_id IS NOT NULL {scope_p}
)
"""

# Customers with a credit are read one by one (their credits settle their oldest debt);
# the others are summed per currency and bucket straight away (account NULL).
AGING = """
SELECT CASE WHEN customer_id IN (SELECT customer_id FROM items WHERE credit > 0)
            THEN customer_id END AS account,
       currency,
       CASE WHEN due_on >= %s THEN 0 WHEN due_on >= %s THEN 1 WHEN due_on >= %s THEN 2
            WHEN due_on >= %s THEN 3 WHEN due_on >= %s THEN 4 ELSE 5 END AS bucket,
       SUM(debit), SUM(credit)
FROM items
GROUP BY 1, 2, 3
"""

OUTSTANDING = "SELECT currency, SUM(debit) - SUM(credit) FROM items GROUP BY currency"

DEBTORS = """
SELECT customer_id, SUM(debit) - SUM(credit) AS balance,
       SUM(CASE WHEN due_on < %s THEN debit ELSE 0 END), SUM(credit)
FROM items
WHERE currency = %s
GROUP BY customer_id
HAVING SUM(debit) - SUM(credit) > 0
ORDER BY balance DESC, customer_id
LIMIT %s
"""


def aging_as_of(
    company: Company, as_of: date, customers: QuerySet[Customer] | None = None
) -> dict[str, Aging]:
    """The aging of each currency with open items as of `as_of`, credits netted per customer."""
    gross: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * BUCKET_COUNT)
    accounts: dict[tuple[int, str], tuple[list[Decimal], list[Decimal]]] = {}
    bounds = [_date(bound) for bound in bucket_due_dates(as_of)]
    for account, currency, bucket, debit, credit in _items(
        company, as_of, customers, AGING, bounds
    ):
        gross[currency][bucket] += _money(debit)
        if account is not None:
            debits, credits = accounts.setdefault(
                (account, currency), ([Decimal(0)] * BUCKET_COUNT, [Decimal(0)])
            )
            debits[bucket] += _money(debit)
            credits[0] += _money(credit)
    with_credit: dict[str, list[AccountAging]] = defaultdict(list)
    for (_, currency), (debits, credits) in accounts.items():
        with_credit[currency].append(AccountAging(tuple(debits), credits[0]))
    return {
        currency: portfolio_aging(currency, amounts, with_credit[currency])
        for currency, amounts in sorted(gross.items())
    }


def outstanding_as_of(
    company: Company, as_of: date, customers: QuerySet[Customer] | None = None
) -> dict[str, Decimal]:
    """Open debit less open credit and unallocated payments, per currency, as of `as_of`."""
    rows = _items(company, as_of, customers, OUTSTANDING, [])
    return {currency: _money(amount) for currency, amount in rows}


@dataclass(frozen=True)
class Debtor:
    customer: Customer
    balance: Decimal
    overdue: Decimal


def top_debtors(
    company: Company,
    as_of: date,
    currency: str,
    customers: QuerySet[Customer] | None = None,
    limit: int = 10,
) -> list[Debtor]:
    """The customers who owe the most in `currency` as of `as_of`, with their overdue part."""
    rows = _items(company, as_of, customers, DEBTORS, [_date(as_of), currency, limit])
    by_pk = Customer.objects.in_bulk([row[0] for row in rows])
    debtors = []
    for pk, balance, overdue_debit, credit in rows:
        debit = _money(balance) + _money(credit)
        position = account_position(debit, _money(credit), Decimal(0), _money(overdue_debit))
        debtors.append(Debtor(by_pk[pk], position.balance, position.overdue))
    return debtors


def daily_sales(
    company: Company, start: date, end: date, customers: QuerySet[Customer] | None = None
) -> dict[str, dict[date, Decimal]]:
    """Invoices less credit notes (including VAT) issued per day in (start, end], per
    currency. Openings, adjustments and refunds are not sales."""
    signed = Case(When(is_credit=True, then=-F("amount")), default=F("amount"))
    rows = (
        _scoped(Invoice.objects.filter(company=company), customers)
        .filter(issued_on__gt=start, issued_on__lte=end)
        .filter(kind__in=[ItemKind.INVOICE.value, ItemKind.CREDIT_NOTE.value])
        .values("currency", "issued_on")
        .annotate(sales=Sum(signed))
        .values_list("currency", "issued_on", "sales")
        .order_by()
    )
    sales: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for currency, issued_on, amount in rows:
        sales[currency][issued_on] = _money(amount)
    return dict(sales)


def paid_invoices(
    company: Company, start: date, end: date, customers: QuerySet[Customer] | None = None
) -> dict[str, list[PaidInvoice]]:
    """Invoices fully settled as of `end` whose last allocation is dated in (start, end]: the
    allocation date is the payment date (lettrage), as for every as-of figure."""
    window = Allocation.objects.filter(
        company=company, allocated_on__gt=start, allocated_on__lte=end
    ).values("invoice_id")
    until_end = Q(allocations__allocated_on__lte=end)
    rows = (
        _scoped(Invoice.objects.filter(company=company), customers)
        .filter(pk__in=window, kind=ItemKind.INVOICE.value, is_credit=False)
        .annotate(
            settled=Sum("allocations__amount", filter=until_end),
            paid_on=Max("allocations__allocated_on", filter=until_end),
        )
        .filter(settled=F("amount"), paid_on__gt=start)
        .values_list("currency", "amount", "issued_on", "due_on", "paid_on")
        .order_by()
    )
    paid: dict[str, list[PaidInvoice]] = defaultdict(list)
    for currency, amount, issued_on, due_on, paid_on in rows:
        paid[currency].append(PaidInvoice(amount, issued_on, due_on, paid_on))
    return dict(paid)


def currencies_of(company: Company) -> list[str]:
    """The company's currency first, then any other its items or payments are in."""
    found: set[str] = set()
    for model in (Invoice, Payment):  # DISTINCT: a few rows back, not one per item
        rows = model.objects.filter(company=company).values_list("currency", flat=True)
        found.update(rows.order_by().distinct())
    return [company.currency] + sorted(found - {company.currency})


def _items(company, as_of: date, customers, select: str, params: Iterable) -> list[tuple]:
    scope_i, scope_p, scope_params = _scope_sql(customers)
    tables = {
        "invoice": Invoice._meta.db_table,
        "allocation": Allocation._meta.db_table,
        "payment": Payment._meta.db_table,
    }
    sql = ITEMS_AS_OF.format(scope_i=scope_i, scope_p=scope_p, **tables) + select
    day = _date(as_of)
    where_params = [
        *(company.pk, day, *scope_params),
        *(company.pk, day, day, *scope_params),
        *(company.pk, day, day, *scope_params),
        *(company.pk, day, *scope_params),
        *(company.pk, day, day, *scope_params),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*where_params, *params])
        return cursor.fetchall()


def _scope_sql(customers: QuerySet[Customer] | None) -> tuple[str, str, tuple]:
    if customers is None:
        return "", "", ()
    sql, params = customers.order_by().values("pk").query.sql_with_params()
    return f"AND i.customer_id IN ({sql})", f"AND p.customer_id IN ({sql})", tuple(params)


def _scoped(queryset: QuerySet, customers: QuerySet[Customer] | None) -> QuerySet:
    return queryset if customers is None else queryset.filter(customer__in=customers)


def _date(day: date):
    return connection.ops.adapt_datefield_value(day)


def _money(value) -> Decimal:
    """SQLite sums decimals as floats: back to cents, exactly as the ORM converts them."""
    if value is None:
        return Decimal(0)
    return round_money(value if isinstance(value, Decimal) else Decimal(str(value)))
