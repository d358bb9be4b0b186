"""The database's candidate query (convert.candidate_customers) keeps every customer the
planner would remind or report: over six weeks of daily runs on a varied ledger, planning the
candidates only gives exactly the plan of the whole ledger."""

import random
from datetime import timedelta

import pytest

from relance.core import dunning as core
from relance.dunning import convert, services
from relance.dunning.models import Hold
from relance.dunning.tests.test_run import TODAY, company, customer, invoice  # noqa: F401
from relance.ledger.models import Customer

pytestmark = pytest.mark.django_db
PROFILES = [choice for choice, _ in Customer._meta.get_field("payer_profile").choices if choice]


def full_plan(company, day):  # noqa: F811
    scenarios, policy = convert.scenarios(company)
    return core.plan(
        items=convert.open_items(company),
        credits=convert.credits(company),
        customers=convert.customers(company),
        scenarios=scenarios,
        sent=convert.sent(company),
        holds=convert.holds(company, day),
        promises=convert.promises(company),
        calendar=services.CALENDARS[company.alsace_moselle],
        policy=policy,
        today=day,
    )


def test_the_candidates_plan_is_the_whole_ledgers_plan_day_after_day(company):  # noqa: F811
    rng = random.Random(7)
    people = []
    for n in range(30):
        person = customer(company, f"C{n}", payer_profile=rng.choice(PROFILES),
                          is_consumer=rng.random() < 0.2)  # fmt: skip
        people.append(person)
        for k in range(rng.randint(1, 4)):
            due = TODAY + timedelta(days=rng.randint(-70, 30))
            invoice(company, person, f"F{n}-{k}", str(rng.randint(20, 3000)), due)
    Hold.objects.create(company=company, customer=people[0], reason="Accord",
                        ends_on=TODAY + timedelta(days=10))  # fmt: skip
    reminded = 0
    for offset in range(0, 42):
        day = TODAY + timedelta(days=offset)
        expected = full_plan(company, day)
        result = services.run_dunning(company, day)
        assert result.plan == expected, day
        reminded += len(result.reminders)
    assert reminded > 30  # the ledger really was reminded along the way
