"""The daily dunning run and the default scenarios: the only code that writes them.

`run_dunning` reads the ledger set-based (convert.py), lets relance.core.dunning.plan decide,
and writes the reminders to the outbox (pending, or awaiting approval) in the same
transaction as the run record. One run per company and date: a second run for the same date,
even started at the same moment, finds it done and creates nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from relance.banking.services import BankFreshness, bank_freshness
from relance.core import dunning as core
from relance.core.calendar import BusinessCalendar, next_allowed, parse_hours
from relance.core.plans import InstalmentReminder, beside_instalments, instalment_reminders
from relance.core.records import PayerProfile
from relance.ledger.bulk import BulkTable, collector_paused, refresh_statistics, reserve_ids
from relance.ledger.models import Company, Contact, Customer, Invoice

from . import convert, state
from .joining import join_open_work
from .models import DunningRun, Exclusion, Reminder, ReminderEvent, ReminderItem, Scenario, Step
from .promises import settle_promises

# French public holidays, computed once per year and process; Alsace-Moselle has two more.
CALENDARS = {False: BusinessCalendar(), True: BusinessCalendar(alsace_moselle=True)}


@dataclass
class RunResult:
    """What a run created (or, dry, would create) and why the rest was not reminded."""

    company: Company
    run_on: date
    plan: core.Plan
    already_done: bool = False
    dry_run: bool = False
    reminders: list[int] = field(default_factory=list)  # ids of the reminders written
    bank: BankFreshness | None = None  # the bank data the run relied on (DESIGN.md rule 1)

    @property
    def is_sending_paused(self) -> bool:
        """Bank data older than the company allows: every reminder waits for approval."""
        return self.bank is not None and self.bank.is_stale

    def as_json(self) -> dict:
        numbers = dict(Invoice.objects.filter(company=self.company).values_list("pk", "number"))
        codes = dict(Customer.objects.filter(company=self.company).values_list("pk", "code"))
        latest = self.bank.latest_on if self.bank else None
        return {
            "date": self.run_on.isoformat(),
            "already_done": self.already_done,
            "dry_run": self.dry_run,
            "bank_data_on": latest.isoformat() if latest else None,
            "sending_paused": self.is_sending_paused,
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


def local_today(company: Company, now: datetime | None = None) -> date:
    """Today (or the day of `now`) in the company's time zone: the date a run is for."""
    return timezone.localdate(now or timezone.now(), ZoneInfo(company.time_zone))


def run_dunning(
    company: Company, run_on: date | None = None, *, dry_run: bool = False, user=None
) -> RunResult:
    """Plan the reminders of `run_on` and, unless dry, write them to the outbox. When the
    company's bank data is older than its pause setting, the reminders wait for approval: a
    customer may have paid in the days the bank data does not cover."""
    run_on = run_on or local_today(company)
    bank = bank_freshness(company, run_on)
    if DunningRun.objects.filter(company=company, run_on=run_on).exists():
        return RunResult(
            company, run_on, core.Plan((), ()), already_done=True, dry_run=dry_run, bank=bank
        )
    if dry_run:
        # Exactly what a real run would do, plans ending included, then nothing is kept.
        with collector_paused(), transaction.atomic():
            _update_plans(company, run_on)
            plan, *_rest = _plan(company, run_on)
            transaction.set_rollback(True)
        return RunResult(company, run_on, plan, dry_run=True, bank=bank)
    with collector_paused():
        return _run(company, run_on, bank, user)


def _run(company: Company, run_on: date, bank: BankFreshness, user) -> RunResult:
    """The real run: the plan, then the outbox and the items' next dates in one transaction."""
    _update_plans(company, run_on)
    plan, items, notices, inputs = _plan(company, run_on)
    summary = {
        "bank_data_on": bank.latest_on.isoformat() if bank.latest_on else None,
        "bank_age_days": bank.age_days,
        "sending_paused": bank.is_stale,
        "state": inputs.pop("state"),
    }
    moves = _moves(plan)
    try:
        with transaction.atomic():
            run = DunningRun.objects.create(
                company=company, run_on=run_on, user=user, summary=summary
            )
            reminders = _write(company, run, plan, items, hold=bank.is_stale, notices=notices)
            state.keep(company, run_on, inputs, plan, inputs.pop("unknown"))
    except IntegrityError:
        # Another run for the same date committed first: it did the work.
        return RunResult(company, run_on, core.Plan((), ()), already_done=True, bank=bank)
    listed = sum(len(reminder.listed_item_ids) for reminder in plan.reminders)
    refresh_statistics(  # after a catch-up, say
        {"dunning_reminder": len(reminders), "dunning_reminderevent": len(reminders),
         "dunning_reminderitem": listed, "ledger_invoice": len(moves)}
    )  # fmt: skip
    return RunResult(company, run_on, plan, reminders=reminders, bank=bank)


def _update_plans(company: Company, run_on: date) -> None:
    """Promises to pay and payment plans are decided before the day is planned: kept or
    broken promises stop pausing their items; plans paid off become completed, breached ones
    broken (their invoices go back to their scenario today)."""
    from relance.plans.services import update_statuses  # the plans app builds on this one

    settle_promises(company, run_on)
    update_statuses(company, run_on)


def _plan(
    company: Company, run_on: date
) -> tuple[core.Plan, dict[int, core.Item], list[InstalmentReminder], dict]:
    """The plan of the day, over the customers with an item whose next step may be due (the
    database keeps that date per item: relance.dunning.state); the others would get nothing.
    The instalments of active payment plans are reminded instead of their invoices
    (relance.core.plans): those reminders come last. Also returns the plan's inputs, which
    the run needs to write the items' next step dates."""
    scenarios, policy = convert.scenarios(company)
    fingerprint = state.fingerprint(scenarios, policy)
    inputs: dict = {"state": state.since_previous_run(company, fingerprint)}
    inputs["unknown"] = state.unknown_items(company)
    candidates = state.candidate_customers(company, run_on)
    items = convert.open_items(company, candidates)
    inputs.update(
        items=items,
        customers=convert.customers(company, candidates),
        scenarios=scenarios,
        sent=convert.sent(company, item_ids=[item.id for item in items]),
        holds=convert.holds(company, run_on),
        promises=convert.promises(company),
        policy=policy,
    )
    plan = core.plan(
        items=inputs["items"],
        credits=convert.credits(company, candidates),
        customers=inputs["customers"],
        scenarios=scenarios,
        sent=inputs["sent"],
        holds=inputs["holds"],
        promises=inputs["promises"],
        calendar=CALENDARS[company.alsace_moselle],
        policy=policy,
        today=run_on,
    )
    by_id = {item.id: item for item in inputs["items"]}
    notices = _instalment_reminders(company, run_on, by_id)
    if notices:
        plan = beside_instalments(plan, notices)
    return plan, by_id, notices, inputs


def _moves(plan: core.Plan) -> list[core.Move]:
    return [move for reminder in plan.reminders for move in reminder.moves]


def _instalment_reminders(
    company: Company, run_on: date, items: dict[int, core.Item]
) -> list[InstalmentReminder]:
    """Today's instalment reminders; the open items they list are added to `items`."""
    from relance.plans.convert import active_plans

    notices = instalment_reminders(active_plans(company), run_on)
    missing = {n.planned.customer_id for n in notices} - {i.customer_id for i in items.values()}
    if missing:
        items.update((i.id, i) for i in convert.open_items(company, sorted(missing)))
    return notices


REMINDER_COLUMNS = (
    "id", "customer_id", "run_id", "scenario_id", "level", "step_name", "channel", "escalation",
    "language", "currency", "amount", "overdue_amount", "mentions_penalties", "status",
    "planned_on", "not_before", "recipients",
)  # fmt: skip


def _write(
    company: Company,
    run: DunningRun,
    plan: core.Plan,
    items,
    *,
    hold: bool,
    notices: Sequence[InstalmentReminder] = (),
) -> list[int]:
    """Reminders, their items, their first event and the exclusions, in bulk (a large run
    writes hundreds of thousands of rows: prepared inserts, no model instances). With `hold`
    every reminder waits for approval (stale bank data). `notices` are the last reminders of
    the plan: their instalments are recorded (never reminded twice) and their texts rendered.
    A call or task joins the customer's open one when it can (relance.dunning.joining)."""
    steps = plan.reminders[: len(plan.reminders) - len(notices)]
    joined = join_open_work(company, steps, items, run.run_on)
    if joined:
        kept = tuple(r for n, r in enumerate(steps) if n not in joined)
        plan = core.Plan(kept + plan.reminders[len(steps) :], plan.excluded)
    ids = reserve_ids(Reminder, len(plan.reminders))
    people = _customers(company, {r.customer_id for r in plan.reminders})
    recipients = _recipients(company, {r.customer_id for r in plan.reminders})
    constants = {"company_id": company.pk}
    # The same moment for every consumer of the run: computed once, not per reminder.
    consumer_not_before = connection.ops.adapt_datetimefield_value(
        _not_before(company, run.run_on, CALENDARS[company.alsace_moselle])
    )
    rows = [
        _reminder_row(pk, run, r, people[r.customer_id], recipients, consumer_not_before, hold)
        for pk, r in zip(ids, plan.reminders, strict=True)
    ]
    note = "relance du jour"
    if hold:
        note += " ; validation requise : relevés bancaires trop anciens"
    BulkTable(Reminder, REMINDER_COLUMNS, constants).write(rows)
    BulkTable(
        ReminderItem, ("reminder_id", "invoice_id", "open_amount", "moved_to_level"), {}
    ).write(_item_rows(plan, ids, items))
    BulkTable(ReminderEvent, ("reminder_id", "status", "note"), {}).write(
        (pk, row[REMINDER_COLUMNS.index("status")], note) for pk, row in zip(ids, rows, strict=True)
    )
    BulkTable(Exclusion, ("run_id", "customer_id", "invoice_id", "currency", "reason"), {}).write(
        (run.pk, e.customer_id, e.item_id, e.currency, e.reason.value) for e in plan.excluded
    )
    if notices:
        from relance.plans.services import record_notices

        record_notices(zip(ids[len(ids) - len(notices) :], notices, strict=True))
    _render_all(ids)
    run.reminders, run.excluded = len(ids), len(plan.excluded)
    run.finished_at = timezone.now()
    run.save(update_fields=["reminders", "excluded", "finished_at"])
    return ids


def _customers(company: Company, customer_ids: set[int]) -> dict[int, tuple[str, bool]]:
    """(language, is_consumer) of the reminded customers."""
    return convert.languages(company, sorted(customer_ids))


def _reminder_row(
    pk, run, planned: core.PlannedReminder, person, recipients, consumer_not_before, hold
) -> tuple:
    language, is_consumer = person
    status = (
        Reminder.Status.AWAITING_APPROVAL
        if planned.needs_approval or hold
        else Reminder.Status.PENDING
    )
    return (
        pk, planned.customer_id, run.pk, planned.scenario_id, planned.level, planned.step_name,
        planned.channel.value, planned.escalation.value, language, planned.currency,
        planned.amount, planned.overdue_amount, planned.mentions_penalties, status.value,
        connection.ops.adapt_datefield_value(run.run_on),
        consumer_not_before if is_consumer else None,
        json.dumps(recipients.get(planned.customer_id, [])),
    )  # fmt: skip


def _not_before(company: Company, run_on: date, calendar: BusinessCalendar) -> datetime:
    """Consumers are contacted only within the company's contact hours, never on holidays."""
    zone = ZoneInfo(company.time_zone)
    now = timezone.now().astimezone(zone).replace(tzinfo=None)
    start = max(now, datetime.combine(run_on, datetime.min.time()))
    return next_allowed(start, calendar, parse_hours(company.consumer_hours)).replace(tzinfo=zone)


def _recipients(company: Company, customer_ids: set[int]) -> dict[int, list[dict]]:
    """The billing contact in To (else any contact with an e-mail), accounting in Cc. One
    plain query by the customer index, the ids as one parameter (they are the company's: the
    run's customers)."""
    if not customer_ids:
        return {}
    ids = sorted(customer_ids)
    if connection.vendor == "postgresql":
        source, where, param = "ledger_contact c", "c.customer_id = ANY(%s::bigint[])", ids
    else:  # SQLite keeps the order of a CROSS JOIN: each customer's contacts by its index
        source = "json_each(%s) AS j CROSS JOIN ledger_contact c"
        where, param = "c.customer_id = j.value", json.dumps(ids)
    sql = (
        f"SELECT c.customer_id, c.role, c.name, c.email FROM {source} WHERE {where} "
        "AND c.email <> '' ORDER BY c.customer_id, c.id"
    )
    kinds = {Contact.Role.BILLING.value: "to", Contact.Role.ACCOUNTING.value: "cc"}
    by_customer: dict[int, list[dict]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        for customer_id, role, name, email in cursor.fetchall():
            found = {"email": email, "name": name, "kind": kinds.get(role, "other")}
            by_customer.setdefault(customer_id, []).append(found)
    return {pk: _to_and_cc(found) for pk, found in by_customer.items()}


def recipients_of(customer: Customer) -> list[dict]:
    """The recipients a reminder to this customer gets today (same rule as the run)."""
    return _recipients(customer.company, {customer.pk}).get(customer.pk, [])


def _to_and_cc(found: list[dict]) -> list[dict]:
    to = [c for c in found if c["kind"] == "to"][:1]
    cc = [c for c in found if c["kind"] == "cc"][:1]
    if not to:
        to = [dict(c, kind="to") for c in found if c["kind"] == "other"][:1]
    if not to and cc:
        to, cc = [dict(cc[0], kind="to")], []
    return to + cc


def _item_rows(plan: core.Plan, ids: list[int], items: dict[int, core.Item]):
    for pk, planned in zip(ids, plan.reminders, strict=True):
        moved = {move.item_id: move.level for move in planned.moves}
        for item_id in planned.listed_item_ids:
            yield (pk, item_id, items[item_id].open_amount, moved.get(item_id))


def _render_all(ids: list[int]) -> None:
    """Fill the texts of the reminders that wait for approval, so that approvers read (and
    may edit) what will be sent. The others are rendered by the sender right before sending,
    with the amounts of that moment: rendering costs milliseconds per reminder, too much for
    a run that writes tens of thousands of them."""
    from relance.portal.links import issue_links  # the portal app builds on this one

    from .render import render_reminder

    # Instalment reminders come rendered with their own texts (relance.plans.render).
    waiting = Reminder.objects.filter(status=Reminder.Status.AWAITING_APPROVAL, subject="")
    for start in range(0, len(ids), 500):
        batch = list(waiting.filter(pk__in=ids[start : start + 500]))
        issue_links(batch)  # their debtor links, in one INSERT (as the sender does)
        for reminder in batch:
            reminder.subject, reminder.body_text, reminder.body_html = render_reminder(reminder)
        Reminder.objects.bulk_update(batch, ["subject", "body_text", "body_html"])


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
