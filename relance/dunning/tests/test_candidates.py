"""The next step date kept per invoice (relance.dunning.state) keeps every customer the
planner would remind or report: over six weeks of daily runs on a varied ledger, planning the
customers it selects gives exactly the plan of the whole ledger, while every day something
happens that can bring a step closer (a new invoice, a reminder rejected, a customer changing
profile, an invoice's due date corrected, a scenario's steps edited, an import)."""

import random
from datetime import timedelta

import pytest

from relance.core import dunning as core
from relance.dunning import actions, convert, services
from relance.dunning.models import Hold, Reminder, Scenario, Step
from relance.dunning.tests.test_run import TODAY, company, customer, invoice  # noqa: F401
from relance.ledger.models import Customer, Invoice

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


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_the_candidates_plan_is_the_whole_ledgers_plan_day_after_day(company, seed):  # noqa: F811
    rng = random.Random(seed)
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
    reminded, changes = 0, Changes(company, people, rng)
    for offset in range(0, 42):
        day = TODAY + timedelta(days=offset)
        expected = full_plan(company, day)
        result = services.run_dunning(company, day)
        assert result.plan == expected, (day, changes.done[-1:])
        reminded += len(result.reminders)
        changes.one(day)
    assert reminded > 30  # the ledger really was reminded along the way
    assert set(changes.done) == set(Changes.KINDS)  # every kind of change happened


class Changes:
    """One change a day, of each kind in turn, each able to bring some item's step closer."""

    KINDS = ("new_invoice", "reject", "profile", "due_date", "steps", "scenario_override")

    def __init__(self, company, people, rng):  # noqa: F811
        self.company, self.people, self.rng, self.done = company, people, rng, []

    def one(self, day):
        kind = self.KINDS[len(self.done) % len(self.KINDS)]
        if getattr(self, kind)(day) is not False:
            self.done.append(kind)

    def new_invoice(self, day):
        person = self.rng.choice(self.people)
        invoice(self.company, person, f"N{day:%m%d}", "450", day - timedelta(days=25))

    def reject(self, day):
        """A reminder waiting for approval rejected: the step it gave is due again."""
        waiting = Reminder.objects.filter(company=self.company, status="awaiting_approval")
        first = waiting.order_by("pk").first()
        if first is None:
            return False
        actions.reject_reminder(first, None, "pas maintenant")

    def profile(self, day):
        person = self.rng.choice(self.people)
        person.payer_profile = "bad" if person.payer_profile != "bad" else "good"
        person.save()

    def open_invoice(self):
        found = list(Invoice.objects.filter(company=self.company, open_amount__gt=0).order_by("pk"))
        return self.rng.choice(found)

    def due_date(self, day):
        item = self.open_invoice()
        item.due_on -= timedelta(days=20)
        item.save()

    def steps(self, day):
        """The bad payers' scenario comes earlier: every step two days sooner."""
        for step in Step.objects.filter(scenario__company=self.company,
                                        scenario__payer_profile="bad"):  # fmt: skip
            actions.update_step(step, offset_days=step.offset_days - 2)

    def scenario_override(self, day):
        item = self.open_invoice()
        item.scenario = Scenario.objects.get(company=self.company, payer_profile="bad")
        item.save(update_fields=["scenario"])
