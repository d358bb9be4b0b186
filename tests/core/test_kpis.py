"""Receivables KPIs computed by hand on a small portfolio, as of Tuesday 31 March 2026.

Sales (invoices less credit notes, including VAT), one day each:
    2025-12-15  10,000    (more than 90 days before: out of the simple DSO)
    2026-01-20  20,000
    2026-02-15  40,000
    2026-03-10  30,000
    Last 90 days, (31 Dec 2025, 31 Mar 2026]: 20,000 + 40,000 + 30,000 = 90,000.
    Months ending on 31 March: (28 Feb, 31 Mar] 31 days 30,000; (31 Jan, 28 Feb] 28 days
    40,000; (31 Dec, 31 Jan] 31 days 20,000; (30 Nov, 31 Dec] 31 days 10,000.

Open items per customer and bucket (days past due):
    A: not due 20,000; 1-30 10,000; no credit
    B: 31-60 8,000; 180+ 2,000; a 3,000 credit note
       -> the credit clears 180+ (2,000) then 1,000 of 31-60: 31-60 7,000
    C: not due 1,000; a 1,500 unallocated payment
       -> not due 1,000 - 1,500 = -500 (a credit balance)
    Gross debit: 21,000 / 10,000 / 8,000 / 0 / 0 / 2,000 = 41,000
    Net:         19,500 / 10,000 / 7,000 / 0 / 0 / 0     = 36,500
    Overdue 10,000 + 7,000 = 17,000; not due 19,500.

Outstanding on 28 February (CEI opening): 40,000.
Invoices paid in the last 90 days:
    1,000 issued 1 Jan, due 31 Jan, paid 10 Feb: 40 days to pay, 10 days late
    3,000 issued 1 Feb, due 3 Mar, paid 21 Feb: 20 days to pay, early (0 late)
"""

from datetime import date
from decimal import Decimal

import pytest

from relance.core.kpis import (
    AccountAging,
    Aging,
    KpiInputs,
    PaidInvoice,
    SalesPeriod,
    average_days_delinquent,
    best_possible_dso,
    bucket_due_dates,
    bucket_index,
    collection_effectiveness,
    compute_kpis,
    dso_countback,
    dso_simple,
    monthly_periods,
    months_before,
    net_of_credits,
    payment_delays,
    portfolio_aging,
    round_days,
    sales_period,
    share,
)

D = Decimal
AS_OF = date(2026, 3, 31)
SALES = {
    date(2025, 12, 15): D(10000),
    date(2026, 1, 20): D(20000),
    date(2026, 2, 15): D(40000),
    date(2026, 3, 10): D(30000),
}
A = AccountAging((D(20000), D(10000), D(0), D(0), D(0), D(0)), D(0))
B = AccountAging((D(0), D(0), D(8000), D(0), D(0), D(2000)), D(3000))
C = AccountAging((D(1000), D(0), D(0), D(0), D(0), D(0)), D(1500))
GROSS = (D(21000), D(10000), D(8000), D(0), D(0), D(2000))
PAID = [
    PaidInvoice(D(1000), date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 10)),
    PaidInvoice(D(3000), date(2026, 2, 1), date(2026, 3, 3), date(2026, 2, 21)),
]


def amounts(*values):
    return tuple(D(value) for value in values)


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [(-10, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4)]
    + [(180, 4), (181, 5), (2000, 5)],
)
def test_bucket_of_days_past_due(days_past_due, bucket):
    assert bucket_index(days_past_due) == bucket


def test_bucket_due_dates_match_bucket_index():
    # due_on >= bound[i] (first match) <=> bucket i: 31 March - 30 days = 1 March, etc.
    assert bucket_due_dates(AS_OF) == (
        date(2026, 3, 31),
        date(2026, 3, 1),
        date(2026, 1, 30),
        date(2025, 12, 31),
        date(2025, 10, 2),
    )
    for days in range(-5, 400):
        due_on = date.fromordinal(AS_OF.toordinal() - days)
        bounds = bucket_due_dates(AS_OF)
        expected = next((i for i, b in enumerate(bounds) if due_on >= b), len(bounds))
        assert bucket_index(days) == expected


@pytest.mark.parametrize(
    ("account", "netted"),
    [
        (A, amounts(20000, 10000, 0, 0, 0, 0)),  # no credit: unchanged
        (B, amounts(0, 0, 7000, 0, 0, 0)),  # 3,000 = 2,000 of 180+ + 1,000 of 31-60
        (C, amounts(-500, 0, 0, 0, 0, 0)),  # 1,000 - 1,500: credit balance, negative not due
        # Docstring example: 350 credit takes 200 (180+) and 150 (31-60).
        (
            AccountAging(amounts(500, 0, 300, 0, 0, 200), D(350)),
            amounts(500, 0, 150, 0, 0, 0),
        ),
    ],
)
def test_credits_settle_the_oldest_debt_first(account, netted):
    assert net_of_credits(account) == netted
    assert sum(netted) == sum(account.debit) - account.credit


def test_portfolio_aging_nets_each_customers_credits():
    aging = portfolio_aging("EUR", GROSS, [B, C])  # A has no credit: not read one by one
    # 21,000 - 1,000 (C's not due) - 500 (C's leftover credit) = 19,500; 8,000 - 1,000; 0
    assert aging.amounts == amounts(19500, 10000, 7000, 0, 0, 0)
    assert aging.outstanding == D(36500)  # 41,000 - 3,000 - 1,500
    assert aging.overdue == D(17000)
    assert aging.not_due == D(19500)
    assert aging.by_bucket()["31-60"] == D(7000)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), 2, date(2026, 1, 31)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 3, 31), 24, date(2024, 3, 31)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_monthly_periods_walk_back_from_the_as_of_date():
    periods = monthly_periods(SALES, AS_OF, 4)
    assert [(p.days, p.sales) for p in periods] == [
        (31, D(30000)),  # (28 Feb, 31 Mar]
        (28, D(40000)),  # (31 Jan, 28 Feb]
        (31, D(20000)),  # (31 Dec, 31 Jan]
        (31, D(10000)),  # (30 Nov, 31 Dec]
    ]


@pytest.mark.parametrize(
    ("outstanding", "sales", "days", "expected"),
    [
        ("36500", "90000", 90, "36.5"),  # 36,500 / 90,000 x 90
        ("45000", "90000", 90, "45"),  # docstring example
        ("36500", "30000", 30, "36.5"),  # N = 30: 36,500 / 30,000 x 30
        ("0", "90000", 90, "0"),
        ("36500", "0", 90, None),  # no sales: undefined, not zero
    ],
)
def test_dso_simple(outstanding, sales, days, expected):
    result = dso_simple(D(outstanding), D(sales), days)
    assert result == (None if expected is None else D(expected))


@pytest.mark.parametrize(
    ("outstanding", "expected"),
    [
        # 30,000 (31 days) taken off, then 6,500 / 40,000 x 28 = 4.55 -> 35.55
        ("36500", "35.55"),
        ("15000", "15.5"),  # within the last month: 15,000 / 30,000 x 31
        ("30000", "31"),  # exactly the last month's sales
        # 30,000 + 40,000 + 20,000 (31 + 28 + 31 = 90 days), then 5,000 / 10,000 x 31 = 15.5
        ("95000", "105.5"),
        ("0", "0"),
        ("-100", "0"),  # credit balance: nothing to collect
        ("100001", None),  # more than all the sales given: older than the history
    ],
)
def test_dso_countback(outstanding, expected):
    result = dso_countback(D(outstanding), monthly_periods(SALES, AS_OF, 4))
    assert result == (None if expected is None else D(expected))


def test_countback_docstring_example_and_months_without_sales():
    last, before = SalesPeriod(date(2026, 2, 28), date(2026, 3, 31), D(30000)), None
    before = SalesPeriod(date(2026, 1, 31), date(2026, 2, 28), D(40000))
    assert dso_countback(D(50000), [last, before]) == D(45)  # 31 + 20,000 / 40,000 x 28
    empty = SalesPeriod(date(2026, 2, 28), date(2026, 3, 31), D(0))
    # A month without sales counts whole: 31 + 10,000 / 40,000 x 28 = 38
    assert dso_countback(D(10000), [empty, before]) == D(38)


@pytest.mark.parametrize(
    ("not_due", "sales", "expected_best", "dso", "expected_add"),
    [
        ("19500", "90000", "19.5", "36.5", "17"),  # 19,500 / 90,000 x 90; 36.5 - 19.5
        ("30000", "90000", "30", "45", "15"),  # docstring examples
        ("19500", "0", None, None, None),
    ],
)
def test_best_possible_dso_and_average_days_delinquent(
    not_due, sales, expected_best, dso, expected_add
):
    best = best_possible_dso(D(not_due), D(sales))
    assert best == (None if expected_best is None else D(expected_best))
    add = average_days_delinquent(None if dso is None else D(dso), best)
    assert add == (None if expected_add is None else D(expected_add))


@pytest.mark.parametrize(
    ("opening", "sales", "closing", "current", "expected"),
    [
        # (40,000 + 30,000 - 36,500) / (40,000 + 30,000 - 19,500) x 100 = 33,500 / 50,500
        ("40000", "30000", "36500", "19500", "66.3"),
        ("100000", "50000", "90000", "40000", "54.5"),  # 60,000 / 110,000
        ("1000", "0", "0", "0", "100"),  # everything collected
        ("0", "0", "0", "0", None),  # nothing to collect: undefined
    ],
)
def test_collection_effectiveness_index(opening, sales, closing, current, expected):
    result = collection_effectiveness(D(opening), D(sales), D(closing), D(current))
    assert round_days(result) == (None if expected is None else D(expected))


def test_payment_delays_are_amount_weighted():
    delays = payment_delays(PAID)
    assert delays.days_to_pay == D(25)  # (1,000 x 40 + 3,000 x 20) / 4,000
    assert delays.days_late == D("2.5")  # (1,000 x 10 + 3,000 x 0) / 4,000
    nothing = payment_delays([])
    assert (nothing.days_to_pay, nothing.days_late) == (None, None)


def test_all_kpis_of_the_portfolio():
    kpis = compute_kpis(
        KpiInputs(
            as_of=AS_OF,
            aging=portfolio_aging("EUR", GROSS, [B, C]),
            opening_outstanding=D(40000),
            daily_sales=SALES,
            paid=PAID,
        )
    )
    assert kpis.currency == "EUR"
    assert kpis.sales == D(90000)
    assert kpis.aging.outstanding == D(36500)
    assert kpis.dso_simple == D("36.5")
    assert kpis.dso_countback == D("35.55")
    assert kpis.best_possible_dso == D("19.5")
    assert kpis.add == D(17)
    assert round_days(kpis.cei) == D("66.3")
    assert (kpis.avg_days_to_pay, kpis.avg_days_late) == (D(25), D("2.5"))


def test_sales_period_excludes_its_start_and_includes_its_end():
    assert sales_period(SALES, date(2026, 1, 20), date(2026, 3, 10)).sales == D(70000)
    assert sales_period(SALES, date(2026, 1, 19), date(2026, 3, 9)).sales == D(60000)


def test_rounding_and_share():
    assert round_days(D("35.55")) == D("35.6")  # half up
    assert round_days(None) is None
    assert share(D(17000), D(36500)).quantize(D("0.01")) == D("46.58")
    assert share(D(1), D(0)) is None
    assert Aging("EUR", amounts(1, 2, 3, 4, 5, 6)).overdue == D(20)
