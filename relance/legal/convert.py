"""Models -> relance.core.interest records: the rate table and a customer's terms."""

from __future__ import annotations

from relance.core import interest as core
from relance.core.records import PayerProfile
from relance.ledger.models import Company, Customer

from .models import HalfYearRate
from .rates import shipped_rates


def rate_table() -> core.RateTable:
    """Every half-year's rates as the core's RateTable (a few dozen rows at most): the
    database's rows, and the shipped ones (relance.legal.rates) for a half-year it lacks."""
    stored = {
        (row.year, row.half): core.HalfYearRates(
            half_year=core.HalfYear(row.year, row.half),
            ecb_rate=row.ecb_rate,
            legal_rate_professionals=row.legal_rate_professionals,
            legal_rate_individuals=row.legal_rate_individuals,
            is_confirmed=row.is_confirmed,
        )
        for row in HalfYearRate.objects.all()
    }
    for shipped in shipped_rates():
        key = (shipped.half_year.year, shipped.half_year.half)
        stored.setdefault(key, shipped)
    return core.RateTable(tuple(stored[key] for key in sorted(stored)))


def terms(company: Company, customer: Customer) -> core.Terms:
    """The regime of the customer (consumer, public buyer or business) and the company's
    contractual rate. The creditor is a company: never an individual (L313-2)."""
    if customer.is_consumer:
        debtor = core.DebtorKind.CONSUMER
    elif customer.payer_profile == PayerProfile.ADMINISTRATIVE:
        debtor = core.DebtorKind.PUBLIC
    else:
        debtor = core.DebtorKind.BUSINESS
    return core.Terms(debtor, company.late_interest_rate)
