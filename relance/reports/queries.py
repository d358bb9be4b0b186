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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Case, F, QuerySet, Sum, When

from relance.core.kpis import (
    BUCKETS,
    AccountAging,
    Aging,
    PaidInvoice,
    bucket_index,
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


# Every piece of money that is open as of some of the days, from one pass: what is open now
# (open as of every day since it was issued), and the allocations after the first day (open
# from issue to the lettrage). Allocations on the day of issue or receipt never count: they
# are left out at once. Customers who hold a credit on one of the days keep their own rows.
PIECES = """
WITH pieces AS (
    SELECT i.customer_id, i.currency, i.due_on, i.issued_on AS since, NULL AS until,
           CASE WHEN i.kind = %s AND NOT i.is_credit THEN 1 ELSE 0 END AS proper,
           CASE WHEN i.is_credit THEN 0 ELSE i.open_amount END AS debit,
           CASE WHEN i.is_credit THEN i.open_amount ELSE 0 END AS credit
    FROM {invoice} i
    WHERE i.company_id = %s AND i.open_amount > 0 AND i.issued_on <= %s {scope_i}
    UNION ALL
    SELECT i.customer_id, i.currency, i.due_on, i.issued_on, a.allocated_on,
           CASE WHEN i.kind = %s THEN 1 ELSE 0 END, a.amount, 0
    FROM {allocation} a JOIN {invoice} i ON i.id = a.invoice_id
    WHERE a.company_id = %s AND a.allocated_on > %s AND i.issued_on <= %s
          AND a.allocated_on > i.issued_on {scope_i}
    UNION ALL
    SELECT i.customer_id, i.currency, i.due_on, i.issued_on, a.allocated_on, 0, 0, a.amount
    FROM {allocation} a JOIN {invoice} i ON i.id = a.credit_item_id
    WHERE a.company_id = %s AND a.allocated_on > %s AND i.issued_on <= %s
          AND a.allocated_on > i.issued_on {scope_i}
    UNION ALL
    SELECT p.customer_id, p.currency, p.received_on, p.received_on, NULL, 0, 0,
           p.unallocated_amount
    FROM {payment} p
    WHERE p.company_id = %s AND p.unallocated_amount > 0 AND p.received_on <= %s
          AND p.customer_id IS NOT NULL {scope_p}
    UNION ALL
    SELECT p.customer_id, p.currency, p.received_on, p.received_on, a.allocated_on, 0, 0,
           a.amount
    FROM {allocation} a JOIN {payment} p ON p.id = a.payment_id
    WHERE a.company_id = %s AND a.allocated_on > %s AND p.received_on <= %s
          AND a.allocated_on > p.received_on AND p.customer_id IS NOT NULL {scope_p}
),
indexed AS (
    SELECT customer_id, currency, due_on, {since} AS first, {until} AS last, proper, debit,
           credit
    FROM pieces
)
SELECT CASE WHEN customer_id IN (SELECT customer_id FROM indexed WHERE credit > 0 AND first < last)
            THEN customer_id END AS account,
       currency, due_on, first, last, proper, SUM(debit), SUM(credit)
FROM indexed
WHERE first < last
GROUP BY 1, 2, 3, 4, 5, 6
"""


def aging_as_of(
    company: Company, as_of: date, customers: QuerySet[Customer] | None = None
) -> dict[str, Aging]:
    """The aging of each currency with open items as of `as_of`, credits netted per customer."""
    return agings_as_of(company, [as_of], customers)[as_of]


def agings_as_of(
    company: Company, days: Sequence[date], customers: QuerySet[Customer] | None = None
) -> dict[date, dict[str, Aging]]:
    """The aging as of each of `days` (ascending), from one read of the pieces of money."""
    days = sorted(days)
    return agings_of(pieces_as_of(company, days, customers), days)


@dataclass(frozen=True)
class Piece:
    """Money open from days[first] up to (not including) days[last], grouped: `account` is
    the customer when it may hold a credit on one of the days (its credits settle its own
    oldest debt), else None; `proper` when it is the debit of an invoice proper (not a credit
    note, opening, adjustment or refund)."""

    account: int | None
    currency: str
    due_on: date
    first: int
    last: int
    proper: bool
    debit: Decimal
    credit: Decimal


def agings_of(pieces: Sequence[Piece], days: Sequence[date]) -> dict[date, dict[str, Aging]]:
    """Each day's aging from the pieces that count on it, credits netted per customer."""
    grosses: list[dict[str, list[Decimal]]] = [{} for _ in days]
    accounts: list[dict[tuple[int, str], tuple[list[Decimal], list[Decimal]]]] = [{} for _ in days]
    for piece in pieces:
        for k in range(piece.first, min(piece.last, len(days))):
            bucket = bucket_index((days[k] - piece.due_on).days)
            gross = grosses[k].setdefault(piece.currency, [Decimal(0)] * BUCKET_COUNT)
            gross[bucket] += piece.debit
            if piece.account is not None:
                debits, credits = accounts[k].setdefault(
                    (piece.account, piece.currency), ([Decimal(0)] * BUCKET_COUNT, [Decimal(0)])
                )
                debits[bucket] += piece.debit
                credits[0] += piece.credit
    return {day: _netted(grosses[k], accounts[k]) for k, day in enumerate(days)}


def _netted(gross, accounts) -> dict[str, Aging]:
    """Gross debit per bucket, less what each customer's credits settle (core.kpis)."""
    with_credit: dict[str, list[AccountAging]] = defaultdict(list)
    for (_, currency), (debits, credits) in accounts.items():
        if credits[0] > 0:
            with_credit[currency].append(AccountAging(tuple(debits), credits[0]))
    return {
        currency: portfolio_aging(currency, amounts, with_credit[currency])
        for currency, amounts in sorted(gross.items())
    }


def pieces_as_of(
    company: Company, days: Sequence[date], customers: QuerySet[Customer] | None = None
) -> list[Piece]:
    """Every piece of money open as of some of `days` (ascending), grouped (see Piece)."""
    scope_i, scope_p, scope_params = _scope_sql(customers)
    sql = PIECES.format(
        scope_i=scope_i,
        scope_p=scope_p,
        since=_day_index("since", len(days)),
        until=_day_index("until", len(days)),
        invoice=Invoice._meta.db_table,
        allocation=Allocation._meta.db_table,
        payment=Payment._meta.db_table,
    )
    first, last = _date(days[0]), _date(days[-1])
    pk, kind = company.pk, ItemKind.INVOICE.value
    where = [
        *(kind, pk, last, *scope_params),
        *(kind, pk, first, last, *scope_params),
        *(pk, first, last, *scope_params),
        *(pk, last, *scope_params),
        *(pk, first, last, *scope_params),
    ]
    bounds = [_date(day) for day in days] * 2
    with connection.cursor() as cursor:
        cursor.execute(sql, [*where, *bounds])
        rows = cursor.fetchall()
    return [
        Piece(account, currency, _as_date(due_on), first, last, bool(proper), _money(debit),
              _money(credit))
        for account, currency, due_on, first, last, proper, debit, credit in rows
    ]  # fmt: skip


def _day_index(column: str, count: int) -> str:
    """SQL for the number of days before the date in `column` (NULL: after them all), so that
    a piece issued on `since` counts from that index and one settled on `until` up to it."""
    whens = " ".join(f"WHEN {column} <= %s THEN {k}" for k in range(count))
    return f"CASE WHEN {column} IS NULL THEN {count} {whens} ELSE {count} END"


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


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


# Invoices whose allocations as of the end add up to their amount and whose last one is in
# (start, end], grouped by their three dates (the delays only need the amount per dates).
PAID = """
SELECT i.currency, i.issued_on, i.due_on, t.paid_on, SUM(i.amount)
FROM (
    SELECT a.invoice_id, MAX(a.allocated_on) AS paid_on, SUM(a.amount) AS settled
    FROM {allocation} a
    WHERE a.allocated_on <= %s AND a.invoice_id IN (
        SELECT w.invoice_id FROM {allocation} w
        WHERE w.company_id = %s AND w.allocated_on > %s AND w.allocated_on <= %s
    )
    GROUP BY a.invoice_id
) t JOIN {invoice} i ON i.id = t.invoice_id
WHERE i.kind = %s AND NOT i.is_credit AND ROUND(t.settled, 2) = i.amount AND t.paid_on > %s
      {scope_i}
GROUP BY i.currency, i.issued_on, i.due_on, t.paid_on
"""


def paid_invoices(
    company: Company, start: date, end: date, customers: QuerySet[Customer] | None = None
) -> dict[str, list[PaidInvoice]]:
    """Invoices fully settled as of `end` whose last allocation is dated in (start, end]: the
    allocation date is the payment date (lettrage), as for every as-of figure. Invoices with
    the same dates come as one PaidInvoice of their total."""
    scope_i, _scope_p, scope_params = _scope_sql(customers)
    sql = PAID.format(
        scope_i=scope_i, allocation=Allocation._meta.db_table, invoice=Invoice._meta.db_table
    )
    first, last = _date(start), _date(end)
    params = [last, company.pk, first, last, ItemKind.INVOICE.value, first, *scope_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    paid: dict[str, list[PaidInvoice]] = defaultdict(list)
    for currency, issued_on, due_on, paid_on, amount in rows:
        paid[currency].append(
            PaidInvoice(_money(amount), _as_date(issued_on), _as_date(due_on), _as_date(paid_on))
        )
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
