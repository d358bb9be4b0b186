"""The rates Relance ships (percent), the same figures the data migration writes (see
migrations/0002_rates_2024_2026.py for their sources). The database rows, which an admin
edits, always win; these only stand in for a half-year the table has lost (a flushed test
database, a row deleted by mistake), so a claim is never refused for want of a published
figure Relance already knows."""

from decimal import Decimal

from relance.core import interest as core

# (year, half, ECB rate, legal rate for professional creditors, for individuals, confirmed)
SHIPPED = (
    (2024, 1, "4.50", "5.07", "8.01", True),
    (2024, 2, "4.25", "4.92", "8.16", True),
    (2025, 1, "3.15", "3.71", "7.21", True),
    (2025, 2, "2.15", "2.76", "6.65", True),
    (2026, 1, "2.15", "2.62", "6.67", True),
    (2026, 2, "2.15", "2.62", "6.67", False),  # provisional: see the migration
)


def shipped_rates() -> tuple[core.HalfYearRates, ...]:
    return tuple(
        core.HalfYearRates(
            half_year=core.HalfYear(year, half),
            ecb_rate=Decimal(ecb),
            legal_rate_professionals=Decimal(professionals),
            legal_rate_individuals=Decimal(individuals),
            is_confirmed=confirmed,
        )
        for year, half, ecb, professionals, individuals, confirmed in SHIPPED
    )
