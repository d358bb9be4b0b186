"""Building the demo company and generating portfolios at scale: the only writers of this app."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from relance.dunning.services import seed_default_scenarios
from relance.ledger.models import Company
from relance.ledger.services import create_company
from relance.reports.cache import bump
from relance.team.models import Membership, Role

from .bulk import PortfolioWriter, next_ids, reset_sequences
from .generator import PortfolioSpec, generate

DEMO_CODE = "DEMO"
DEMO_PASSWORD = "relance-demo"
DEMO_COMPANY = {
    "code": DEMO_CODE,
    "name": "Négoce Durand & Fils SAS",
    "siren": "832147599",
    "siret": "83214759900217",
    "vat_number": "FR78832147599",
    "address": "12 rue des Entrepreneurs",
    "postal_code": "69007",
    "city": "Lyon",
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP",
    "currency": "EUR",
}
# username, role, first name, last name
DEMO_USERS = (
    ("admin", Role.ADMIN, "Claire", "Durand"),
    ("manager", Role.MANAGER, "Philippe", "Moreau"),
    ("collector", Role.COLLECTOR, "Sophie", "Lambert"),
    ("collector2", Role.COLLECTOR, "Julien", "Mercier"),
    ("sales", Role.SALES, "Antoine", "Garnier"),
    ("accountant", Role.ACCOUNTANT, "Nathalie", "Fontaine"),
    ("readonly", Role.READ_ONLY, "Hugo", "Lefèvre"),
)
DEMO_CUSTOMERS = 300
DEMO_INVOICES = 5_000
DEMO_MONTHS = 18


@dataclass(frozen=True)
class GenerationResult:
    counts: dict[str, int]
    seconds: float


def build_demo(today: date, seed: int = 1) -> tuple[Company, GenerationResult | None]:
    """Create the DEMO company, its team and its portfolio; an existing DEMO is kept as is
    (result None), only missing users and memberships are added."""
    company = Company.objects.filter(code=DEMO_CODE).first()
    if company is not None:
        ensure_demo_team(company)
        seed_default_scenarios(company)
        return company, None
    with transaction.atomic():
        company = create_company(**DEMO_COMPANY)
        team = ensure_demo_team(company)
        result = _write(
            company,
            PortfolioSpec(
                customers=DEMO_CUSTOMERS,
                invoices=DEMO_INVOICES,
                today=today,
                seed=seed,
                months=DEMO_MONTHS,
                currency=company.currency,
                first_ids=next_ids(),
                collectors=(team["collector"], team["collector2"]),
                sales_reps=(team["sales"], team["sales"], None),
            ),
        )
        seed_default_scenarios(company)
    return company, result


@transaction.atomic
def ensure_demo_team(company: Company) -> dict[str, int]:
    """One user per role, all with DEMO_PASSWORD; `admin` is also a Django superuser."""
    ids = {}
    for username, role, first_name, last_name in DEMO_USERS:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.relance.example",
                "is_superuser": username == "admin",
                "is_staff": username == "admin",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, company=company, defaults={"role": role})
        ids[username] = user.pk
    return ids


def generate_portfolio(
    company: Company,
    *,
    customers: int,
    invoices: int,
    today: date,
    seed: int = 1,
    months: int = 24,
    open_share: float | None = None,
) -> GenerationResult:
    """Add a generated portfolio to an existing company, committing batch by batch."""
    return _write(
        company,
        PortfolioSpec(
            customers=customers,
            invoices=invoices,
            today=today,
            seed=seed,
            months=months,
            open_share=open_share,
            currency=company.currency,
            first_ids=next_ids(),
        ),
    )


def _write(company: Company, spec: PortfolioSpec) -> GenerationResult:
    started = time.perf_counter()
    writer = PortfolioWriter(company.pk)
    for block in generate(spec):
        writer.add(block)
    writer.flush()
    reset_sequences()
    bump(company)  # written with bulk inserts, around the ledger services
    return GenerationResult(writer.counts, time.perf_counter() - started)


def replay_dunning(company: Company, today: date, days: int = 45) -> int:
    """Dunning as if Relance had run every business day of the last `days` days, sending to
    the local outbox: the demo then shows reminders at every step, calls to make and formal
    notices waiting for approval. Returns the number of reminders written."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from relance.core.calendar import BusinessCalendar
    from relance.dunning.sending import send_pending
    from relance.dunning.services import run_dunning

    calendar, zone, written = BusinessCalendar(), ZoneInfo(company.time_zone), 0
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        if not calendar.is_business_day(day):
            continue
        written += len(run_dunning(company, day).reminders)
        send_pending("demo-replay", now=datetime.combine(day, time(11), tzinfo=zone))
    return written
