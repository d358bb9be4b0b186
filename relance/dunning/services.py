"""The daily dunning run and the default scenarios: the only code that writes them.

`run_dunning` reads the ledger set-based (convert.py), lets relance.core.dunning.plan decide,
and writes the reminders to the outbox (pending, or awaiting approval) in the same
transaction as the run record. One run per company and date: a second run for the same date,
even started at the same moment, finds it done and creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from relance.core import dunning as core
from relance.core.calendar import CONSUMER_HOURS, BusinessCalendar, next_allowed
from relance.core.records import PayerProfile
from relance.ledger.models import Company, Contact, Customer, Invoice

from . import convert
from .models import DunningRun, Exclusion, Reminder, ReminderEvent, ReminderItem, Scenario, Step


@dataclass
class RunResult:
    """What a run created (or, dry, would create) and why the rest was not reminded."""

    company: Company
    run_on: date
    plan: core.Plan
    already_done: bool = False
    dry_run: bool = False
    reminders: list[Reminder] = field(default_factory=list)

    def as_json(self) -> dict:
        numbers = dict(Invoice.objects.filter(pk__in=self._item_ids()).values_list("pk", "number"))
        codes = dict(Customer.objects.filter(pk__in=self._customer_ids()).values_list("pk", "code"))
        return {
            "date": self.run_on.isoformat(),
            "already_done": self.already_done,
            "dry_run": self.dry_run,
            "reminders": [
                {
                    "customer": codes[r.customer_id],
                    "step": r.step_name,
                    "level": r.level,
                    "channel": r.channel.value,
                    "invoices": [numbers[i] for i in r.listed_item_ids],
                    "amount": str(r.amount),
                    "currency": r.currency,
                    "needs_approval": r.needs_approval,
                }
                for r in self.plan.reminders
            ],
            "excluded": [
                {
                    "customer": codes[e.customer_id],
                    "invoice": numbers.get(e.item_id) if e.item_id else None,
                    "reason": e.reason.value,
                }
                for e in self.plan.excluded
            ],
        }

    def _item_ids(self) -> set[int]:
        ids = {i for r in self.plan.reminders for i in r.listed_item_ids}
        return ids | {e.item_id for e in self.plan.excluded if e.item_id}

    def _customer_ids(self) -> set[int]:
        return {r.customer_id for r in self.plan.reminders} | {
            e.customer_id for e in self.plan.excluded
        }


def local_today(company: Company) -> date:
    """Today in the company's time zone: the date a run is for."""
    return timezone.now().astimezone(ZoneInfo(company.time_zone)).date()


def run_dunning(
    company: Company, run_on: date | None = None, *, dry_run: bool = False, user=None
) -> RunResult:
    """Plan the reminders of `run_on` and, unless dry, write them to the outbox."""
    run_on = run_on or local_today(company)
    if DunningRun.objects.filter(company=company, run_on=run_on).exists():
        return RunResult(company, run_on, core.Plan((), ()), already_done=True, dry_run=dry_run)
    plan = _plan(company, run_on)
    if dry_run:
        return RunResult(company, run_on, plan, dry_run=True)
    try:
        with transaction.atomic():
            run = DunningRun.objects.create(company=company, run_on=run_on, user=user)
            reminders = _write(company, run, plan)
    except IntegrityError:
        # Another run for the same date committed first: it did the work.
        return RunResult(company, run_on, core.Plan((), ()), already_done=True)
    return RunResult(company, run_on, plan, reminders=reminders)


def _plan(company: Company, run_on: date) -> core.Plan:
    scenarios, policy = convert.scenarios(company)
    return core.plan(
        items=convert.open_items(company),
        credits=convert.credits(company),
        customers=convert.customers(company),
        scenarios=scenarios,
        sent=convert.sent(company),
        holds=convert.holds(company, run_on),
        promises=convert.promises(company),
        calendar=BusinessCalendar(),
        policy=policy,
        today=run_on,
    )


def _write(company: Company, run: DunningRun, plan: core.Plan) -> list[Reminder]:
    customers = Customer.objects.in_bulk({r.customer_id for r in plan.reminders})
    recipients = _recipients({r.customer_id for r in plan.reminders})
    reminders = [
        _reminder(company, run, r, customers[r.customer_id], recipients) for r in plan.reminders
    ]
    Reminder.objects.bulk_create(reminders, batch_size=1000)
    ReminderItem.objects.bulk_create(_reminder_items(plan, reminders), batch_size=2000)
    ReminderEvent.objects.bulk_create(
        [ReminderEvent(reminder=r, status=r.status, note="relance du jour") for r in reminders],
        batch_size=2000,
    )
    Exclusion.objects.bulk_create(
        [
            Exclusion(run=run, customer_id=e.customer_id, invoice_id=e.item_id,
                      currency=e.currency, reason=e.reason.value)
            for e in plan.excluded
        ],
        batch_size=2000,
    )  # fmt: skip
    _render_all(reminders)
    run.reminders, run.excluded = len(reminders), len(plan.excluded)
    run.finished_at = timezone.now()
    run.save(update_fields=["reminders", "excluded", "finished_at"])
    return reminders


def _reminder(company, run, planned: core.PlannedReminder, customer, recipients) -> Reminder:
    status = (
        Reminder.Status.AWAITING_APPROVAL if planned.needs_approval else Reminder.Status.PENDING
    )
    return Reminder(
        company=company,
        customer=customer,
        run=run,
        scenario_id=planned.scenario_id,
        level=planned.level,
        step_name=planned.step_name,
        channel=planned.channel.value,
        escalation=planned.escalation.value,
        language=customer.language,
        currency=planned.currency,
        amount=planned.amount,
        overdue_amount=planned.overdue_amount,
        mentions_penalties=planned.mentions_penalties,
        status=status,
        planned_on=run.run_on,
        not_before=_not_before(company, customer, run.run_on),
        recipients=recipients.get(customer.pk, []),
    )


def _not_before(company: Company, customer: Customer, run_on: date) -> datetime | None:
    """Consumers are contacted only within the contact hours (weekdays 10-13 h, 14-20 h)."""
    if not customer.is_consumer:
        return None
    zone = ZoneInfo(company.time_zone)
    now = timezone.now().astimezone(zone).replace(tzinfo=None)
    start = max(now, datetime.combine(run_on, datetime.min.time()))
    return next_allowed(start, BusinessCalendar(), CONSUMER_HOURS).replace(tzinfo=zone)


def _recipients(customer_ids: set[int]) -> dict[int, list[dict]]:
    """The billing contact in To (else any contact with an e-mail), accounting in Cc."""
    by_customer: dict[int, list[dict]] = {}
    contacts = Contact.objects.filter(customer_id__in=customer_ids).exclude(email="")
    for contact in contacts.order_by("customer_id", "pk"):
        kind = "cc" if contact.role == Contact.Role.ACCOUNTING else "to"
        if contact.role not in (Contact.Role.BILLING, Contact.Role.ACCOUNTING):
            kind = "other"
        by_customer.setdefault(contact.customer_id, []).append(
            {"email": contact.email, "name": contact.name, "kind": kind}
        )
    return {pk: _to_and_cc(found) for pk, found in by_customer.items()}


def _to_and_cc(found: list[dict]) -> list[dict]:
    to = [c for c in found if c["kind"] == "to"][:1]
    cc = [c for c in found if c["kind"] == "cc"][:1]
    if not to:
        to = [dict(c, kind="to") for c in found if c["kind"] == "other"][:1]
    if not to and cc:
        to, cc = [dict(cc[0], kind="to")], []
    return to + cc


def _reminder_items(plan: core.Plan, reminders: list[Reminder]) -> list[ReminderItem]:
    open_amounts = dict(
        Invoice.objects.filter(
            pk__in={i for r in plan.reminders for i in r.listed_item_ids}
        ).values_list("pk", "open_amount")
    )
    rows = []
    for planned, reminder in zip(plan.reminders, reminders, strict=True):
        moved = {move.item_id: move.level for move in planned.moves}
        rows += [
            ReminderItem(reminder=reminder, invoice_id=item_id,
                         open_amount=open_amounts[item_id], moved_to_level=moved.get(item_id))
            for item_id in planned.listed_item_ids
        ]  # fmt: skip
    return rows


def _render_all(reminders: list[Reminder]) -> None:
    """Fill subject and texts now, so that approvers read (and may edit) what will be sent."""
    try:
        from .render import render_reminder
    except ImportError:  # the texts land in the same release; until then, empty texts
        return
    for reminder in reminders:
        reminder.subject, reminder.body_text, reminder.body_html = render_reminder(reminder)
    Reminder.objects.bulk_update(reminders, ["subject", "body_text", "body_html"], batch_size=500)


# --- default scenarios ------------------------------------------------------------------


@transaction.atomic
def seed_default_scenarios(company: Company) -> list[Scenario]:
    """The seven default scenarios, one per payer profile (good payer = company default);
    profiles that already have a scenario keep theirs."""
    taken = set(
        Scenario.objects.filter(company=company).exclude(payer_profile="")
        .values_list("payer_profile", flat=True)
    )  # fmt: skip
    has_default = Scenario.objects.filter(company=company, is_default=True).exists()
    created = []
    for profile, spec in core.default_scenarios().items():
        if profile.value in taken:
            continue
        scenario = Scenario.objects.create(
            company=company,
            name=spec.name,
            payer_profile=profile.value,
            is_default=not has_default and profile == PayerProfile.GOOD,
            send_thanks=spec.send_thanks,
            is_silent=spec.is_silent,
        )
        _create_steps(scenario, spec)
        created.append(scenario)
    return created


def _create_steps(scenario: Scenario, spec: core.Scenario) -> None:
    steps = Step.objects.bulk_create(
        [
            Step(
                scenario=scenario,
                level=s.level,
                name=s.name,
                offset_days=s.offset_days,
                min_gap_days=s.min_gap_days,
                channel=s.channel.value,
                min_amount=s.min_amount,
                needs_approval=s.needs_approval,
                mentions_penalties=s.mentions_penalties,
                escalation=s.escalation.value,
            )
            for s in spec.steps
        ]
    )
    try:
        from .texts import default_template
    except ImportError:  # the texts land in the same release
        return
    from .models import StepTemplate

    StepTemplate.objects.bulk_create(
        [
            StepTemplate(step=step, language=language, subject=subject, body=body)
            for step in steps
            for language in ("fr", "en")
            for subject, body in [default_template(step, language)]
        ]
    )
