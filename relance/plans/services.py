"""Payment plans: agreeing one, cancelling one, and the daily status changes (breach,
completion) the dunning run makes before planning. The only code that writes plans.

The rules are relance.core.plans; the run's instalment reminders are written by
relance.dunning.services with `record_notices`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relance.core import plans as core
from relance.core.calendar import BusinessCalendar
from relance.core.money import round_money
from relance.dunning.models import Reminder, ReminderEvent, ReminderItem
from relance.dunning.render import TemplateTextError, render_preview
from relance.dunning.sending import record_event
from relance.dunning.state import forget_invoices_of
from relance.ledger.models import Customer, Invoice

from . import convert
from .models import Instalment, InstalmentNotice, InstalmentTemplate, PaymentPlan

BROKEN_STEP = "Échéancier rompu"  # the call the collector gets when a plan breaks
CALENDARS = {False: BusinessCalendar(), True: BusinessCalendar(alsace_moselle=True)}
Status = PaymentPlan.Status


@transaction.atomic
def agree_plan(
    customer: Customer,
    user,
    invoices: Iterable[Invoice],
    agreed_on: date,
    *,
    count: int | None = None,
    first_on: date | None = None,
    schedule: Sequence[tuple[date, Decimal]] = (),
    notes: str = "",
) -> PaymentPlan:
    """A plan over `invoices` (open, of the customer, one currency, in no other active plan):
    `count` equal monthly instalments from `first_on`, or the `schedule` given, which must
    add up to what the invoices owe today. Dates on a weekend or public holiday move to the
    next business day of the company's calendar (relance.core.plans.on_business_days)."""
    invoices = _check_invoices(customer, list(invoices))
    covered = sum((invoice.open_amount for invoice in invoices), Decimal(0))
    calendar = CALENDARS[customer.company.alsace_moselle]
    instalments = _schedule(covered, count, first_on, schedule, calendar)
    plan = PaymentPlan.objects.create(
        company=customer.company,
        customer=customer,
        currency=invoices[0].currency,
        agreed_on=agreed_on,
        covered_amount=covered,
        notes=notes,
        created_by=user,
    )
    plan.invoices.set(invoices)
    _back_to_dunning([plan.pk])  # the next run reports them in the plan
    Instalment.objects.bulk_create(
        Instalment(plan=plan, number=i.number, due_on=i.due_on, amount=i.amount)
        for i in instalments
    )
    return plan


def _check_invoices(customer: Customer, invoices: list[Invoice]) -> list[Invoice]:
    if not invoices:
        raise ValidationError(_("Choisissez au moins une facture."))
    ids = [invoice.pk for invoice in invoices]
    # Read again under lock: the open amounts are what the plan covers.
    invoices = list(Invoice.objects.select_for_update().filter(pk__in=ids).order_by("due_on"))
    if any(i.customer_id != customer.pk or i.is_credit or i.open_amount <= 0 for i in invoices):
        raise ValidationError(_("Un échéancier couvre des factures ouvertes du client."))
    if len({invoice.currency for invoice in invoices}) > 1:
        raise ValidationError(_("Un échéancier couvre des factures d'une seule devise."))
    taken = PaymentPlan.objects.filter(status=Status.ACTIVE, invoices__in=ids).exists()
    if taken:
        raise ValidationError(_("Une de ces factures est déjà dans un échéancier en cours."))
    return invoices


def _schedule(
    covered: Decimal,
    count: int | None,
    first_on: date | None,
    schedule: Sequence[tuple[date, Decimal]],
    calendar: BusinessCalendar,
) -> tuple[core.Instalment, ...]:
    if schedule:
        typed = [
            core.Instalment(number, due_on, amount)
            for number, (due_on, amount) in enumerate(sorted(schedule), 1)
        ]
        instalments = core.on_business_days(typed, calendar)
        _check_collisions(typed, instalments)
    elif count and first_on:
        try:
            instalments = core.monthly_schedule(covered, count, first_on, calendar)
        except ValueError as error:
            raise ValidationError(str(error)) from None
    else:
        raise ValidationError(_("Donnez le nombre d'échéances et la première date."))
    errors = core.schedule_errors(instalments, covered)
    if errors:
        raise ValidationError(errors)
    return instalments


def _check_collisions(typed, moved) -> None:
    """Two typed dates that land on the same business day (a Saturday and the Monday after)
    are refused with both dates, rather than as a bare duplicate."""
    landed: dict[date, list[date]] = {}
    for before, after in zip(typed, moved, strict=True):
        landed.setdefault(after.due_on, []).append(before.due_on)
    for day, sources in landed.items():
        sources = sorted(set(sources))
        if len(sources) > 1:
            raise ValidationError(
                _(
                    "Les échéances du %(first)s et du %(second)s tombent le même jour ouvré, "
                    "le %(day)s (week-end ou jour férié reporté au jour ouvré suivant)."
                )
                % {
                    "first": sources[0].strftime("%d/%m/%Y"),
                    "second": sources[1].strftime("%d/%m/%Y"),
                    "day": day.strftime("%d/%m/%Y"),
                }
            )


@transaction.atomic
def cancel_plan(plan: PaymentPlan, user, today: date, note: str = "") -> PaymentPlan:
    """Active -> cancelled: the invoices go back to their scenario at their next step."""
    changed = PaymentPlan.objects.filter(pk=plan.pk, status=Status.ACTIVE).update(
        status=Status.CANCELLED, ended_on=today, end_note=note or _("annulé")
    )
    if changed != 1:
        raise ValidationError(_("Cet échéancier n'est plus en cours."))
    _back_to_dunning([plan.pk])
    plan.refresh_from_db()
    return plan


def _back_to_dunning(plan_ids: list[int]) -> None:
    """The next run plans these plans' invoices again: a plan's invoices wait for its end
    (relance.dunning.state), and a new plan's are reported in it."""
    if plan_ids:
        forget_invoices_of(Invoice.objects.filter(payment_plans__in=plan_ids))


# --- The daily status changes ----------------------------------------------------------------


@dataclass
class PlanChanges:
    completed: list[int] = field(default_factory=list)
    broken: list[int] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)  # the collectors' call reminders


@transaction.atomic
def update_statuses(company, today: date) -> PlanChanges:
    """Active plans fully paid become completed; those with an instalment unpaid
    core.GRACE_DAYS after its date become broken, and their collector gets a call to make
    (on the agenda, in the customer's history). A handful of queries whatever the number
    of plans; running it twice changes nothing more."""
    changes = PlanChanges()
    for state in convert.active_plans(company):
        paid = core.paid_amount(state.covered, state.open_amount)
        if core.is_completed(state.instalments, paid):
            changes.completed.append(state.id)
        elif core.is_broken(state.instalments, paid, today):
            changes.broken.append(state.id)
    active = PaymentPlan.objects.filter(company=company, status=Status.ACTIVE)
    active.filter(pk__in=changes.completed).update(
        status=Status.COMPLETED, ended_on=today, end_note=_("toutes les échéances réglées")
    )
    # Locked, and read again as still active: a second run for the same day (another worker)
    # waits here for this one, then finds them broken already and makes no second call.
    broken = list(
        active.filter(pk__in=changes.broken)
        .select_related("customer")
        .select_for_update(of=("self",))
    )
    changes.broken = [plan.pk for plan in broken]
    active.filter(pk__in=changes.broken).update(
        status=Status.BROKEN, ended_on=today, end_note=_("échéance impayée")
    )
    changes.alerts = [_alert(plan, today) for plan in broken]
    _back_to_dunning(changes.completed + changes.broken)
    return changes


def _alert(plan: PaymentPlan, today: date) -> int:
    """A call to make for the collector: the agenda lists it, the call sheet shows the
    invoices, whose whole balance is due again."""
    invoices = list(plan.invoices.filter(open_amount__gt=0).order_by("due_on", "number"))
    amount = round_money(sum((i.open_amount for i in invoices), Decimal(0)))
    reminder = Reminder.objects.create(
        company_id=plan.company_id,
        customer=plan.customer,
        level=0,
        step_name=BROKEN_STEP,
        channel="call",
        language=plan.customer.language or "fr",
        currency=plan.currency,
        amount=amount,
        overdue_amount=amount,
        status=Reminder.Status.PENDING,
        planned_on=today,
    )
    ReminderItem.objects.bulk_create(
        ReminderItem(reminder=reminder, invoice=i, open_amount=i.open_amount) for i in invoices
    )
    note = _("échéancier du %(day)s rompu : échéance impayée, tout le solde est de nouveau dû")
    ReminderEvent.objects.create(
        reminder=reminder, status=reminder.status, note=note % {"day": plan.agreed_on}
    )
    return reminder.pk


# --- Instalment reminders --------------------------------------------------------------------


def record_notices(pairs: Iterable[tuple[int, core.InstalmentReminder]]) -> None:
    """Link each written reminder (id) to the instalments it reminds, then render it: the
    unique (instalment, kind) makes a second notice of the same instalment impossible."""
    pairs = list(pairs)
    InstalmentNotice.objects.bulk_create(
        InstalmentNotice(
            reminder_id=pk,
            instalment_id=notice.instalment.id,
            kind=notice.kind.value,
            amount=notice.amount,
        )
        for pk, reminder in pairs
        for notice in reminder.notices
    )
    from .render import render_instalment_reminder

    for reminder in Reminder.objects.filter(pk__in=[pk for pk, _reminder in pairs]):
        render_instalment_reminder(reminder)
        reminder.save(update_fields=["subject", "body_text", "body_html"])


def recheck(reminder: Reminder, today: date) -> str:
    """The re-check of an instalment reminder right before it is sent: the reason to cancel
    it (its plan ended, or its instalments were paid meanwhile), else "" after updating the
    amount asked (a partial payment lowers it)."""
    notices = list(reminder.instalment_notices.select_related("instalment__plan"))
    plans = {notice.instalment.plan for notice in notices}
    if any(plan.status != Status.ACTIVE for plan in plans):
        return (
            "annulée : échéancier terminé ("
            + ", ".join(str(plan.get_status_display()) for plan in plans)
            + ")"
        )
    left = convert.instalments_left(plans)
    amount = sum((left.get(notice.instalment_id, Decimal(0)) for notice in notices), Decimal(0))
    if amount <= 0:
        return "annulée : échéances réglées"
    if amount != reminder.amount:
        note = f"montant {reminder.amount} → {amount} {reminder.currency}"
        reminder.amount = amount
        reminder.overdue_amount = min(reminder.overdue_amount, amount)
        fields = ["amount", "overdue_amount"]
        if not reminder.events.filter(user__isnull=False).exists():  # a person's text stays
            from .render import render_instalment_reminder

            render_instalment_reminder(reminder)
            fields += ["subject", "body_text", "body_html"]
        reminder.save(update_fields=fields)
        record_event(reminder, Reminder.Status.SENDING, note)
    return ""


# --- The company's own instalment reminder texts ---------------------------------------------


@transaction.atomic
def save_instalment_template(
    company, kind: core.NoticeKind, language: str, subject: str, body: str, user=None
) -> InstalmentTemplate:
    """The company's text for `kind` in `language`, checked by rendering it on the example
    customer first: a text that cannot render (syntax, forbidden tag) is refused with the
    reason, and the one in use stays."""
    from .render import example_instalment_context

    try:
        render_preview(subject, body, example_instalment_context(company, language, kind))
    except TemplateTextError as error:
        raise ValidationError(_("Modèle invalide : %(error)s") % {"error": error}) from None
    template, _created = InstalmentTemplate.objects.update_or_create(
        company=company,
        kind=kind.value,
        language=language,
        defaults={"subject": subject, "body": body, "updated_by": user},
    )
    return template


@transaction.atomic
def reset_instalment_template(company, kind: core.NoticeKind, language: str) -> bool:
    """Back to the default text of `kind` in `language` (True when there was one of the
    company's own)."""
    deleted, _by_model = InstalmentTemplate.objects.filter(
        company=company, kind=kind.value, language=language
    ).delete()
    return bool(deleted)
