"""Late-payment interest and the recovery indemnity: worked examples computed by hand.

Rates used (percent; ECB main refinancing rate on the first day of the half-year, legal rate
"autres cas" i.e. professionals, legal rate "particuliers"):
    2024 H1: 4.50, 5.07, 8.01      2025 H1: 3.15, 3.71, 7.21
    2025 H2: 2.15, 2.76, 6.65      2026 H1: 2.15, 2.62, 6.67
Interest = principal x rate / 100 x days / 365, rounded half up to the cent once per invoice.
"""

from datetime import date
from decimal import Decimal

import pytest

from relance.core.interest import (
    DebtorKind,
    HalfYear,
    HalfYearRates,
    LateInvoice,
    MissingRatesError,
    RateTable,
    Terms,
    business_rate,
    interest_periods,
    invoice_penalties,
    penalties,
    rate_on,
)
from relance.core.money import MoneyError

D = Decimal


def rates(year, half, ecb, professionals, individuals, confirmed=True):
    return HalfYearRates(HalfYear(year, half), D(ecb), D(professionals), D(individuals), confirmed)


TABLE = RateTable(
    (
        rates(2024, 1, "4.50", "5.07", "8.01"),
        rates(2025, 1, "3.15", "3.71", "7.21"),
        rates(2025, 2, "2.15", "2.76", "6.65"),
        rates(2026, 1, "2.15", "2.62", "6.67"),
    )
)
BUSINESS = Terms(DebtorKind.BUSINESS)
PUBLIC = Terms(DebtorKind.PUBLIC)
CONSUMER = Terms(DebtorKind.CONSUMER)


def invoice(due_on, amount="1000.00", noticed_on=None, currency="EUR"):
    return LateInvoice("F1", due_on, D(amount), currency, noticed_on)


# (case, invoice, as of, terms, days late, interest, indemnity)
CASES = [
    # Not yet due: nothing.
    ("not yet due", invoice(date(2025, 7, 31)), date(2025, 7, 10), BUSINESS, 0, "0.00", "0.00"),
    # Due today: not late yet, interest starts tomorrow.
    ("due today", invoice(date(2025, 7, 10)), date(2025, 7, 10), BUSINESS, 0, "0.00", "0.00"),
    # 1 Feb to 2 Mar 2025 = 28 + 2 = 30 days at 3.15 + 10 = 13.15 %:
    # 1000 x 13.15 % x 30 / 365 = 3945 / 365 = 10.8082 -> 10.81
    ("first half-year", invoice(date(2025, 1, 31)), date(2025, 3, 2), BUSINESS, 30, "10.81",
     "40.00"),
    # Crosses 1 July: 16-30 June = 15 days at 13.15 %, 1-10 July = 10 days at 12.15 %:
    # 1000 x 13.15 % x 15 / 365 = 5.4041; 1000 x 12.15 % x 10 / 365 = 3.3288; 8.7329 -> 8.73
    ("crossing 1 July", invoice(date(2025, 6, 15)), date(2025, 7, 10), BUSINESS, 25, "8.73",
     "40.00"),
    # Leap year: 29 Feb and 1 Mar 2024 = 2 days at 4.50 + 10 = 14.50 %, still / 365:
    # 1000 x 14.50 % x 2 / 365 = 290 / 365 = 0.7945 -> 0.79
    ("leap day", invoice(date(2024, 2, 28)), date(2024, 3, 1), BUSINESS, 2, "0.79", "40.00"),
    # Contract at 12 % in 2026 H1, above the floor 3 x 2.62 = 7.86 %: 12 % applies.
    # 1 Feb to 2 Mar 2026 = 30 days: 2000 x 12 % x 30 / 365 = 7200 / 365 = 19.7260 -> 19.73
    ("contract above the floor", invoice(date(2026, 1, 31), "2000.00"), date(2026, 3, 2),
     Terms(DebtorKind.BUSINESS, D("12")), 30, "19.73", "40.00"),
    # Contract at 5 % in 2026 H1, under the floor: 7.86 % applies.
    # 1000 x 7.86 % x 30 / 365 = 2358 / 365 = 6.4603 -> 6.46
    ("contract under the floor", invoice(date(2026, 1, 31)), date(2026, 3, 2),
     Terms(DebtorKind.BUSINESS, D("5")), 30, "6.46", "40.00"),
    # Contract at 8 % across 1 July 2025, floor per half-year: H1 3 x 3.71 = 11.13 %,
    # H2 3 x 2.76 = 8.28 %. 21-30 June = 10 days, 1-20 July = 20 days:
    # 1000 x 11.13 % x 10 / 365 = 3.0493; 1000 x 8.28 % x 20 / 365 = 4.5370; 7.5863 -> 7.59
    ("contract floor per half-year", invoice(date(2025, 6, 20)), date(2025, 7, 20),
     Terms(DebtorKind.BUSINESS, D("8")), 30, "7.59", "40.00"),
    # Public buyer: 3.15 + 8 = 11.15 % for the whole period (rate of the half-year where
    # interest started, R2192-31), 25 days: 1000 x 11.15 % x 25 / 365 = 7.6370 -> 7.64
    ("public buyer", invoice(date(2025, 6, 15)), date(2025, 7, 10), PUBLIC, 25, "7.64", "40.00"),
    # A public buyer's contract rate does not apply: same 7.64.
    ("public buyer ignores the contract", invoice(date(2025, 6, 15)), date(2025, 7, 10),
     Terms(DebtorKind.PUBLIC, D("20")), 25, "7.64", "40.00"),
    # Consumer with no formal notice yet: late, but no interest and never an indemnity.
    ("consumer before the notice", invoice(date(2025, 6, 15)), date(2025, 7, 10), CONSUMER, 25,
     "0.00", "0.00"),
    # Consumer, notice on 25 June: 26-30 June = 5 days at 3.71 %, 1-10 July = 10 at 2.76 %
    # (legal rate of a company creditor): 185.5 / 365 = 0.5082; 276 / 365 = 0.7562 -> 1.26
    ("consumer after the notice", invoice(date(2025, 6, 15), noticed_on=date(2025, 6, 25)),
     date(2025, 7, 10), CONSUMER, 25, "1.26", "0.00"),
    # Notice sent before the due date: interest still starts after the due date.
    # 15 days at 3.71 % = 1.5247; 10 days at 2.76 % = 0.7562; 2.2808 -> 2.28
    ("consumer noticed before the due date",
     invoice(date(2025, 6, 15), noticed_on=date(2025, 6, 1)), date(2025, 7, 10), CONSUMER, 25,
     "2.28", "0.00"),
    # Creditor an individual (CMF L313-2): the "particuliers" rates 7.21 % then 6.65 %:
    # 1000 x 7.21 % x 5 / 365 = 0.9877; 1000 x 6.65 % x 10 / 365 = 1.8219; 2.8096 -> 2.81
    ("consumer of an individual creditor",
     invoice(date(2025, 6, 15), noticed_on=date(2025, 6, 25)), date(2025, 7, 10),
     Terms(DebtorKind.CONSUMER, creditor_is_individual=True), 25, "2.81", "0.00"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "item", "as_of", "terms", "days_late", "interest", "indemnity"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_worked_examples(case, item, as_of, terms, days_late, interest, indemnity):
    result = invoice_penalties(item, as_of, terms, TABLE)
    assert (result.days_late, result.interest, result.indemnity) == (
        days_late,
        D(interest),
        D(indemnity),
    )
    assert result.principal == item.open_amount


def test_splits_a_period_crossing_1_july_in_two():
    periods = interest_periods(date(2025, 6, 15), date(2025, 7, 10), BUSINESS, TABLE)
    assert [(p.starts_on, p.ends_on, p.days, p.rate) for p in periods] == [
        (date(2025, 6, 16), date(2025, 6, 30), 15, D("13.15")),
        (date(2025, 7, 1), date(2025, 7, 10), 10, D("12.15")),
    ]


def test_business_rate_of_2026_h1_as_design_states_it():
    # DESIGN.md: 2.15 % + 10 = 12.15 %; floor 3 x 2.62 = 7.86 %.
    h1 = TABLE.rates(HalfYear(2026, 1))
    assert business_rate(h1) == D("12.15")
    assert business_rate(h1, D("5")) == D("7.86")
    assert business_rate(h1, D("15")) == D("15")


def test_totals_add_rounded_items():
    # Invoice A: 8.73 + 40.00 (crossing 1 July above); invoice B not yet due: 0 + 0.
    result = penalties(
        [invoice(date(2025, 6, 15)), LateInvoice("F2", date(2025, 7, 31), D("500.00"))],
        date(2025, 7, 10),
        BUSINESS,
        TABLE,
    )
    assert [i.number for i in result.items] == ["F1", "F2"]
    assert (
        result.total_principal,
        result.total_interest,
        result.total_indemnity,
        result.total,
    ) == (D("1500.00"), D("8.73"), D("40.00"), D("1548.73"))
    assert result.currency == "EUR"
    assert result.unconfirmed == ()


def test_a_missing_half_year_is_an_error_that_names_it():
    with pytest.raises(MissingRatesError, match=r"2e semestre 2026 \(2026 H2\)") as raised:
        invoice_penalties(invoice(date(2026, 6, 1)), date(2026, 7, 2), BUSINESS, TABLE)
    assert raised.value.half_year == HalfYear(2026, 2)


def test_a_missing_half_year_before_the_interest_starts_is_not_needed():
    # Consumer noticed in 2026 H1: the 2024 H2 gap of the table does not matter.
    result = invoice_penalties(
        invoice(date(2024, 8, 1), noticed_on=date(2026, 1, 31)), date(2026, 3, 2), CONSUMER, TABLE
    )
    # 30 days at 2.62 %: 1000 x 2.62 % x 30 / 365 = 786 / 365 = 2.1534 -> 2.15
    assert result.interest == D("2.15")


def test_a_public_buyer_needs_only_the_half_year_interest_started_in():
    # Due 15 June 2025, as of 10 January 2027 (2026 H2 and 2027 H1 are not in the table).
    # No split: 16 June 2025 to 10 January 2027 = 574 days, all at 3.15 + 8 = 11.15 %:
    # 1000 x 11.15 % x 574 / 365 = 64001 / 365 = 175.3452 -> 175.35
    result = invoice_penalties(invoice(date(2025, 6, 15)), date(2027, 1, 10), PUBLIC, TABLE)
    assert (result.days_late, result.interest) == (574, D("175.35"))


def test_unconfirmed_rates_are_reported():
    table = RateTable(TABLE.rows + (rates(2026, 2, "2.15", "2.62", "6.67", confirmed=False),))
    result = penalties([invoice(date(2026, 6, 1))], date(2026, 7, 2), BUSINESS, table)
    assert result.unconfirmed == (HalfYear(2026, 2),)


def test_refuses_to_mix_currencies():
    with pytest.raises(MoneyError):
        penalties(
            [invoice(date(2025, 6, 1)), invoice(date(2025, 6, 1), currency="USD")],
            date(2025, 7, 1),
            BUSINESS,
            TABLE,
        )


def test_the_indemnity_is_in_euros_only():
    # D441-5 sets 40 EUR; an invoice in USD gets its interest but no converted indemnity.
    result = invoice_penalties(
        invoice(date(2025, 1, 31), currency="USD"), date(2025, 3, 2), BUSINESS, TABLE
    )
    assert (result.interest, result.indemnity) == (D("10.81"), D("0.00"))


def test_a_table_refuses_two_rows_for_one_half_year():
    with pytest.raises(ValueError, match="2025 H1"):
        RateTable(TABLE.rows + (rates(2025, 1, "3", "3", "3"),))


@pytest.mark.parametrize(
    ("day", "half"),
    [(date(2026, 1, 1), HalfYear(2026, 1)), (date(2026, 6, 30), HalfYear(2026, 1)),
     (date(2026, 7, 1), HalfYear(2026, 2)), (date(2026, 12, 31), HalfYear(2026, 2))],
)  # fmt: skip
def test_half_year_of_a_day(day, half):
    assert HalfYear.of(day) == half
    assert half.starts_on <= day <= half.ends_on
    assert HalfYear(2026, 2).next() == HalfYear(2027, 1)


@pytest.mark.parametrize(
    ("terms", "rate"),
    [(BUSINESS, "12.15"), (PUBLIC, "10.15"), (CONSUMER, "2.76"),
     (Terms(DebtorKind.BUSINESS, D("5")), "8.28")],
)  # fmt: skip
def test_rate_on_a_day(terms, rate):
    # 2025 H2: ECB 2.15 + 10, 2.15 + 8, legal rate 2.76, floor 3 x 2.76 = 8.28.
    assert rate_on(date(2025, 7, 10), terms, TABLE) == D(rate)
