"""Late-payment interest and the fixed recovery indemnity, as French law computes them.

Rules (DESIGN.md, "French legal rules the software applies"):

- Business debtors, Code de commerce L441-10: interest runs from the day after the due date,
  on the amount including VAT, x rate x days / 365. The rate of the days of the first
  half-year is the ECB main refinancing rate in force on 1 January + 10 points, of the second
  half-year the one in force on 1 July, so a period crossing 1 July is split. A contractual
  rate replaces it, never below 3 x the legal interest rate of that half-year.
- Public buyers, Code de la commande publique R2192-31: ECB rate + 8 points, the ECB rate being
  the one in force on the first day of the half-year in which interest started to run, for the
  whole period (no split); the contract's rate does not apply.
- Recovery indemnity, D441-5 (and D2192-35 for public buyers): 40 EUR per late invoice,
  professional and public debtors only, not subject to VAT.
- Consumers, Code civil 1344-1: the legal interest rate, only from the formal notice, and no
  indemnity. Code monétaire et financier L313-2 picks the legal rate by the *creditor*: the
  "particuliers" rate only when the creditor is an individual acting outside any profession;
  a company's claims bear the other ("professionnels") rate, even against a consumer.

Rates are an input (`RateTable`); a half-year missing from it is an error naming it. Amounts
are rounded once per item, by money.round_money. Interest is computed on the amount still
open: earlier partial payments would have borne interest on more, so this never overclaims.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from relance.core.money import MoneyError, round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DAYS_IN_YEAR = Decimal(365)  # L441-10 as commonly applied: 365 even in leap years
BUSINESS_MARGIN = Decimal(10)  # L441-10: ECB rate + 10 points
PUBLIC_MARGIN = Decimal(8)  # R2192-31: ECB rate + 8 points
FLOOR_MULTIPLE = Decimal(3)  # L441-10: a contractual rate is at least 3 x the legal rate
RECOVERY_INDEMNITY = Decimal(40)  # D441-5: 40 EUR per late invoice
INDEMNITY_CURRENCY = "EUR"


class DebtorKind(StrEnum):
    """Which regime the debtor falls under."""

    BUSINESS = "business"  # L441-10 and D441-5
    PUBLIC = "public"  # payer profile "administrative": R2192-31 and D2192-35
    CONSUMER = "consumer"  # Code civil 1344-1


class MissingRatesError(LookupError):
    """The rate table has no row for a half-year the computation needs."""

    def __init__(self, half_year: HalfYear) -> None:
        super().__init__(
            f"taux manquants pour le {half_year.label_fr} ({half_year}) : "
            "ajoutez-les dans l'administration (Taux légaux par semestre)"
        )
        self.half_year = half_year


@dataclass(frozen=True, order=True)
class HalfYear:
    """A calendar half-year: H1 is January to June, H2 July to December."""

    year: int
    half: int  # 1 or 2

    def __post_init__(self) -> None:
        if self.half not in (1, 2):
            raise ValueError(f"half must be 1 or 2, not {self.half}")

    @classmethod
    def of(cls, day: date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @property
    def starts_on(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def ends_on(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def label_fr(self) -> str:
        return f"{'1er' if self.half == 1 else '2e'} semestre {self.year}"

    def next(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    def __str__(self) -> str:
        return f"{self.year} H{self.half}"


@dataclass(frozen=True)
class HalfYearRates:
    """The rates of one half-year, in percent: the ECB main refinancing rate in force on its
    first day and the two legal interest rates (by kind of creditor) fixed by arrêté."""

    half_year: HalfYear
    ecb_rate: Decimal
    legal_rate_professionals: Decimal  # "tous les autres cas": any creditor but an individual
    legal_rate_individuals: Decimal  # creditor an individual acting outside any profession
    is_confirmed: bool = True  # False: a provisional figure awaiting its publication


@dataclass(frozen=True)
class RateTable:
    """The rates per half-year; `rates(h)` raises MissingRatesError naming a missing one."""

    rows: tuple[HalfYearRates, ...]
    _by_half: dict[HalfYear, HalfYearRates] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_half: dict[HalfYear, HalfYearRates] = {}
        for row in self.rows:
            if row.half_year in by_half:
                raise ValueError(f"two rows for {row.half_year}")
            by_half[row.half_year] = row
        object.__setattr__(self, "_by_half", by_half)

    def rates(self, half_year: HalfYear) -> HalfYearRates:
        found = self._by_half.get(half_year)
        if found is None:
            raise MissingRatesError(half_year)
        return found


@dataclass(frozen=True)
class Terms:
    """Who owes and on what terms: the debtor's regime and the creditor's contractual rate
    (percent per year; None: the legal default)."""

    debtor: DebtorKind
    contractual_rate: Decimal | None = None
    creditor_is_individual: bool = False  # L313-2: picks the legal rate of consumer claims


@dataclass(frozen=True)
class LateInvoice:
    """An open invoice: what remains to pay (including VAT) and since when.

    `noticed_on` is the date of the formal notice that listed it, if any (consumers owe
    interest only from then)."""

    number: str
    due_on: date
    open_amount: Decimal
    currency: str = "EUR"
    noticed_on: date | None = None


@dataclass(frozen=True)
class Period:
    """Days bearing interest at one rate: from `starts_on` to `ends_on`, both included."""

    starts_on: date
    ends_on: date
    rate: Decimal
    half_year: HalfYear  # whose rates gave `rate`

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class InvoicePenalties:
    """What one invoice costs its debtor as of a date, beside its principal."""

    number: str
    due_on: date
    principal: Decimal
    days_late: int
    interest: Decimal
    indemnity: Decimal
    periods: tuple[Period, ...]


@dataclass(frozen=True)
class Penalties:
    """Interest and indemnities for a list of invoices as of a date, with the totals."""

    as_of: date
    currency: str
    items: tuple[InvoicePenalties, ...]
    unconfirmed: tuple[HalfYear, ...]  # provisional rates used: say so beside the amounts

    @property
    def total_principal(self) -> Decimal:
        return sum((i.principal for i in self.items), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.items), ZERO)

    @property
    def total_indemnity(self) -> Decimal:
        return sum((i.indemnity for i in self.items), ZERO)

    @property
    def total(self) -> Decimal:
        return self.total_principal + self.total_interest + self.total_indemnity


def business_rate(rates: HalfYearRates, contractual_rate: Decimal | None = None) -> Decimal:
    """L441-10 rate of a half-year: ECB + 10 points, or the contractual rate but never below
    3 x the legal rate.

    Example, 2026 H1 (ECB 2.15 %, legal rate 2.62 %): no contract -> 12.15 %; a contractual
    5 % -> 7.86 % (3 x 2.62); a contractual 15 % -> 15 %.
    """
    if contractual_rate is None:
        return rates.ecb_rate + BUSINESS_MARGIN
    return max(contractual_rate, FLOOR_MULTIPLE * rates.legal_rate_professionals)


def interest_periods(
    starts_after: date, as_of: date, terms: Terms, table: RateTable
) -> tuple[Period, ...]:
    """The days after `starts_after` up to `as_of` included, one period per rate.

    Example, business debtor, no contract, due 15 June 2025, as of 10 July 2025:
    16-30 June at 3.15 + 10 = 13.15 % (15 days), 1-10 July at 2.15 + 10 = 12.15 % (10 days).
    A public buyer keeps the rate of the half-year the interest started in: 25 days at
    3.15 + 8 = 11.15 %.
    """
    first = starts_after + timedelta(days=1)
    if first > as_of:
        return ()
    if terms.debtor is DebtorKind.PUBLIC:
        started_in = HalfYear.of(first)
        rate = table.rates(started_in).ecb_rate + PUBLIC_MARGIN
        return (Period(first, as_of, rate, started_in),)
    periods = []
    half = HalfYear.of(first)
    while half.starts_on <= as_of:
        rates = table.rates(half)
        start, end = max(first, half.starts_on), min(as_of, half.ends_on)
        periods.append(Period(start, end, _rate(rates, terms), half))
        half = half.next()
    return tuple(periods)


def rate_on(day: date, terms: Terms, table: RateTable) -> Decimal:
    """The yearly rate of interest starting to run on `day` (what a reminder states).

    Example, 10 July 2025: business debtor 12.15 %, public buyer 10.15 %, consumer 2.76 %.
    """
    rates = table.rates(HalfYear.of(day))
    if terms.debtor is DebtorKind.PUBLIC:
        return rates.ecb_rate + PUBLIC_MARGIN
    return _rate(rates, terms)


def _rate(rates: HalfYearRates, terms: Terms) -> Decimal:
    if terms.debtor is DebtorKind.CONSUMER:
        # Code civil 1344-1 with CMF L313-2: the legal rate of the creditor's kind.
        if terms.creditor_is_individual:
            return rates.legal_rate_individuals
        return rates.legal_rate_professionals
    return business_rate(rates, terms.contractual_rate)


def invoice_penalties(
    invoice: LateInvoice, as_of: date, terms: Terms, table: RateTable
) -> InvoicePenalties:
    """Interest and indemnity of one invoice as of `as_of`.

    Example, business debtor, no contract, 1,000.00 EUR due 15 June 2025, as of 10 July 2025:
    1000 x 13.15 % x 15 / 365 = 5.4041 + 1000 x 12.15 % x 10 / 365 = 3.3288 -> 8.73 interest,
    25 days late, 40.00 indemnity.
    """
    days_late = max(0, (as_of - invoice.due_on).days)
    starts_after = _interest_starts_after(invoice, terms)
    periods = () if starts_after is None else interest_periods(starts_after, as_of, terms, table)
    interest = sum(
        (invoice.open_amount * p.rate / HUNDRED * p.days / DAYS_IN_YEAR for p in periods), ZERO
    )
    return InvoicePenalties(
        number=invoice.number,
        due_on=invoice.due_on,
        principal=invoice.open_amount,
        days_late=days_late,
        interest=round_money(interest),
        indemnity=_indemnity(invoice, days_late, terms),
        periods=periods,
    )


def _interest_starts_after(invoice: LateInvoice, terms: Terms) -> date | None:
    """The last day without interest: the due date, or for a consumer the formal notice
    (Code civil 1344-1), and never before the due date; None: no interest at all yet."""
    if terms.debtor is not DebtorKind.CONSUMER:
        return invoice.due_on
    if invoice.noticed_on is None:
        return None
    return max(invoice.due_on, invoice.noticed_on)


def _indemnity(invoice: LateInvoice, days_late: int, terms: Terms) -> Decimal:
    # D441-5: professional (and public) debtors only; a fixed sum in euros, not converted.
    if days_late == 0 or terms.debtor is DebtorKind.CONSUMER:
        return ZERO
    if invoice.currency != INDEMNITY_CURRENCY:
        return ZERO
    return round_money(RECOVERY_INDEMNITY)


def penalties(
    invoices: Iterable[LateInvoice], as_of: date, terms: Terms, table: RateTable
) -> Penalties:
    """Interest and indemnity per invoice as of `as_of`, in one currency, with totals.

    Example, business debtor, as of 10 July 2025: invoice A, 1,000.00 due 15 June 2025 ->
    8.73 + 40.00; invoice B, 500.00 due 31 July 2025 -> not yet due, 0.00 + 0.00. Totals:
    principal 1,500.00, interest 8.73, indemnity 40.00, total 1,548.73.
    Raises MoneyError when the invoices are in several currencies, MissingRatesError when a
    half-year the interest runs over is missing from the table.
    """
    listed = list(invoices)
    currencies = sorted({i.currency for i in listed}) or [INDEMNITY_CURRENCY]
    if len(currencies) > 1:
        raise MoneyError(f"cannot mix {' and '.join(currencies)}")
    items = tuple(invoice_penalties(i, as_of, terms, table) for i in listed)
    used = {p.half_year for item in items for p in item.periods}
    unconfirmed = tuple(sorted(h for h in used if not table.rates(h).is_confirmed))
    return Penalties(as_of, currencies[0], items, unconfirmed)
