"""The next step date kept per invoice (relance.dunning.state) keeps every customer the
planner would remind: over seven weeks of daily runs on a varied ledger, planning the
customers it selects gives exactly the reminders of the whole ledger's plan, while every day
something happens that can bring a step closer (a new invoice, a reminder rejected, a customer
changing profile, an invoice's due date corrected, a scenario's steps edited, an import) or
that starts or ends a pause (a hold put or lifted, a dispute opened or resolved, a promise
made or kept early, a payment plan agreed or cancelled, a customer handed over to collection
or back, a payment undone). An item paused for a lasting reason is reported once, not every
day: each exclusion of the whole ledger's plan has been reported by some run by then."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from relance.core import dunning as core
from relance.dunning import actions, convert, services
from relance.dunning.models import Dispute, Hold, Promise, Reminder, Scenario, Step
from relance.dunning.tests.test_run import TODAY, company, customer, invoice  # noqa: F401
from relance.ledger import services as ledger
from relance.ledger.models import Allocation, Customer, Invoice
from relance.plans import services as plans
from relance.plans.models import PaymentPlan

pytestmark = pytest.mark.django_db
PROFILES = [choice for choice, _ in Customer._meta.get_field("payer_profile").choices if choice]


def full_plan(company, day):  # noqa: F811
    """The whole ledger's plan of `day`, after the day's promise and plan decisions (the run
    makes them first; made twice, they change nothing more)."""
    services._update_plans(company, day)
    scenarios, policy = convert.scenarios(company)
    items = convert.open_items(company)
    plan = core.plan(
        items=items,
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
    notices = services._instalment_reminders(company, day, {item.id: item for item in items})
    return services.beside_instalments(plan, notices) if notices else plan


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
    reminded, changes, reported = 0, Changes(company, people, rng), set()
    for offset in range(0, 49):
        day = TODAY + timedelta(days=offset)
        expected = full_plan(company, day)
        result = services.run_dunning(company, day)
        assert result.plan.reminders == expected.reminders, (day, changes.done[-1:])
        assert set(result.plan.excluded) <= set(expected.excluded), day
        reported |= set(result.plan.excluded)
        assert set(expected.excluded) <= reported, (day, changes.done[-1:])
        reminded += len(result.reminders)
        changes.one(day)
    assert reminded > 30  # the ledger really was reminded along the way
    assert set(changes.done) == set(Changes.KINDS), str(changes.done)  # every kind happened


class Changes:
    """One change a day, of each kind in turn, each able to bring some item's step closer."""

    KINDS = ("new_invoice", "hold", "dispute", "promise", "keep_promise", "plan", "hand_over",
             "reject", "lift", "resolve", "cancel_plan", "hand_back", "profile",
             "due_date", "steps", "scenario_override", "undo_payment")  # fmt: skip

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

    def open_invoice(self, **filters):
        found = Invoice.objects.filter(company=self.company, open_amount__gt=0, **filters)
        found = list(found.order_by("pk"))
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

    def hold(self, day):
        """A hold on one invoice for a week, or on a whole customer until lifted."""
        item = self.open_invoice()
        if self.rng.random() < 0.5:
            actions.put_on_hold(item.customer, None, "Accord", day + timedelta(days=7), item)
        else:
            actions.put_on_hold(item.customer, None, "Négociation")

    def lift(self, day):
        held = Hold.objects.filter(company=self.company, lifted_at__isnull=True).order_by("pk")
        if not held:
            return False
        actions.lift_hold(held.last(), None)

    def dispute(self, day):
        actions.open_dispute(self.open_invoice(), None, Dispute.Reason.PRICE)

    def resolve(self, day):
        found = Dispute.objects.filter(company=self.company, status=Dispute.Status.OPEN)
        if not found:
            return False
        actions.resolve_dispute(found.first(), None, Dispute.Resolution.REJECTED)

    def promise(self, day):
        """50 EUR promised for in six days, on the whole account of a customer owing more."""
        item = self.open_invoice(is_credit=False, open_amount__gte=100)
        actions.record_promise(item.customer, None, day + timedelta(days=6), Decimal("50"),
                               made_on=day)  # fmt: skip

    def keep_promise(self, day):
        """The promise is kept early: the rest of the account is reminded again from the
        next run, without waiting for the promise's date."""
        promise = Promise.objects.filter(company=self.company, status=Promise.Status.OPEN).last()
        if promise is None:
            return False
        owed = Invoice.objects.filter(customer=promise.customer, open_amount__gt=0,
                                      is_credit=False).order_by("pk")  # fmt: skip
        if not owed:
            return False
        ledger.receive_payment(self.company, promise.customer, [owed.first()],
                               amount=Decimal("50"), received_on=day, currency="EUR")  # fmt: skip

    def plan(self, day):
        planned = PaymentPlan.objects.filter(status=PaymentPlan.Status.ACTIVE)
        free = Invoice.objects.filter(
            company=self.company, open_amount__gt=0, is_credit=False, is_disputed=False
        ).exclude(payment_plans__in=planned)
        item = self.rng.choice(list(free.order_by("pk")))
        plans.agree_plan(item.customer, None, [item], day, count=3,
                         first_on=day + timedelta(days=30))  # fmt: skip

    def cancel_plan(self, day):
        plan = PaymentPlan.objects.filter(status=PaymentPlan.Status.ACTIVE).first()
        if plan is None:
            return False
        plans.cancel_plan(plan, None, day)

    def hand_over(self, day):
        """As the escalation does when the step handing over goes out."""
        reminder = Reminder.objects.filter(company=self.company).order_by("pk").last()
        if reminder is None:
            return False
        reminder.escalation = core.Escalation.COLLECTION.value
        from relance.dunning.escalation import apply_escalation

        apply_escalation(reminder)

    def hand_back(self, day):
        handed = Customer.objects.filter(company=self.company, is_handed_over=True).first()
        if handed is None:
            return False
        handed.is_handed_over = False
        handed.save()

    def undo_payment(self, day):
        """A payment returned unpaid: the invoice it settled is open again."""
        allocation = Allocation.objects.filter(company=self.company).order_by("pk").last()
        if allocation is None:
            return False
        ledger.unallocate(allocation)


# --- Each end (or change) of a pause makes its items planned again ----------------------------
# Deterministic cases of what the daily test above meets at random: the item waits for a date
# its pause gave it; the change must bring it back at once, or the run misses a reminder (or
# a report) that the whole ledger's plan has.

MON = TODAY  # 2026-11-23, and the business days after it
TUE, WED, THU, FRI = (TODAY + timedelta(days=n) for n in range(1, 5))


def owing(company, code="P1"):  # noqa: F811
    """A customer with two invoices 20 days overdue (their first reminder is due)."""
    person = customer(company, code)
    a = invoice(company, person, f"{code}-A", "1000.00", MON - timedelta(days=20))
    b = invoice(company, person, f"{code}-B", "500.00", MON - timedelta(days=20))
    return person, a, b


def same_as_whole_ledger(company, day):  # noqa: F811
    expected = full_plan(company, day)
    result = services.run_dunning(company, day)
    assert result.plan.reminders == expected.reminders
    return result.plan


def reasons(plan):
    return {(e.item_id, e.reason.value) for e in plan.excluded}


def pay(company, person, item, amount, day):  # noqa: F811
    ledger.receive_payment(company, person, [item], amount=Decimal(amount), received_on=day,
                           currency="EUR")  # fmt: skip


def test_an_item_paused_for_a_lasting_reason_is_reported_once_then_waits(company):  # noqa: F811
    person, a, b = owing(company)
    actions.open_dispute(a, None, Dispute.Reason.PRICE)
    actions.record_promise(person, None, FRI + timedelta(days=7), Decimal("200"), [b],
                           made_on=MON)  # fmt: skip
    assert reasons(same_as_whole_ledger(company, MON)) == {(a.pk, "disputed"), (b.pk, "promised")}
    assert reasons(same_as_whole_ledger(company, TUE)) == set()  # not read again
    dates = dict(Invoice.objects.values_list("pk", "dunning_next_on"))
    assert dates[b.pk] == FRI + timedelta(days=7 + 3 + 1)  # the promise's date + grace + 1
    assert dates[a.pk].year == 9999  # until the dispute is resolved


@pytest.mark.parametrize("named", [True, False])
def test_a_promise_kept_early_lets_the_rest_be_reminded_at_once(company, named):  # noqa: F811
    person, a, b = owing(company)
    actions.record_promise(person, None, FRI + timedelta(days=7), Decimal("50"),
                           [a, b] if named else [], made_on=MON)  # fmt: skip
    assert not same_as_whole_ledger(company, MON).reminders
    pay(company, person, a, "50", MON)
    (reminder,) = same_as_whole_ledger(company, TUE).reminders  # kept this morning
    assert Promise.objects.get().status == Promise.Status.KEPT
    assert set(reminder.item_ids) == {a.pk, b.pk}


def test_a_payment_undone_reopens_an_item_that_no_longer_waits(company):  # noqa: F811
    """Settled while a promise paused it, the item missed the promise's end: reopened, it is
    planned again."""
    person, a, b = owing(company)
    actions.record_promise(person, None, FRI + timedelta(days=7), Decimal("1500"), made_on=MON)
    same_as_whole_ledger(company, MON)
    pay(company, person, a, "1000.00", MON)
    pay(company, person, b, "500.00", TUE)  # the promise is kept on Wednesday
    same_as_whole_ledger(company, WED)
    ledger.remove_payment(Allocation.objects.get(invoice=a).payment)  # recorded by mistake
    (reminder,) = same_as_whole_ledger(company, THU).reminders
    assert reminder.item_ids == (a.pk,)


@pytest.mark.parametrize("change", ["dispute", "hand_over", "hold", "plan"])
def test_a_new_reason_on_a_waiting_item_is_reported_by_the_next_run(company, change):  # noqa: F811
    person, a, b = owing(company)
    actions.record_promise(person, None, FRI + timedelta(days=7), Decimal("50"), made_on=MON)
    assert reasons(same_as_whole_ledger(company, MON)) == {(a.pk, "promised"), (b.pk, "promised")}
    if change == "dispute":
        actions.open_dispute(a, None, Dispute.Reason.PRICE)
        expected = {(a.pk, "disputed"), (b.pk, "promised")}
    elif change == "hold":
        actions.put_on_hold(person, None, "Accord", FRI + timedelta(days=30), invoice=a)
        expected = {(a.pk, "on_hold"), (b.pk, "promised")}
    elif change == "plan":
        plans.agree_plan(person, None, [b], MON, count=2, first_on=FRI + timedelta(days=30))
        expected = {(a.pk, "promised"), (b.pk, "payment_plan")}
    else:
        from relance.dunning.escalation import apply_escalation

        reminder = Reminder.objects.create(  # the step handing over, a call made, say
            company=company, customer=person, level=6, step_name="Contentieux", channel="call",
            currency="EUR", amount=Decimal(1500), overdue_amount=Decimal(1500),
            status=Reminder.Status.SENT, planned_on=MON, escalation="collection",
        )  # fmt: skip
        apply_escalation(reminder)
        expected = {(None, "handed_over")}
    assert reasons(same_as_whole_ledger(company, TUE)) == expected


def test_a_broken_payment_plan_sends_its_invoices_back_to_dunning_at_once(company):  # noqa: F811
    person, a, b = owing(company)
    plans.agree_plan(person, None, [a, b], MON - timedelta(days=30),
                     schedule=[(MON - timedelta(days=20), Decimal("1500.00"))])  # fmt: skip
    reported = reasons(same_as_whole_ledger(company, MON - timedelta(days=10)))
    assert reported == {(a.pk, "payment_plan"), (b.pk, "payment_plan")}
    # The instalment is 15 days late from MON - 5: the plan breaks, its invoices are due again.
    broken_on = MON - timedelta(days=4)
    (reminder,) = [r for r in same_as_whole_ledger(company, broken_on).reminders if r.scenario_id]
    assert PaymentPlan.objects.get().status == PaymentPlan.Status.BROKEN
    assert set(reminder.item_ids) == {a.pk, b.pk}
