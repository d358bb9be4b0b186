"""The collector's agenda: today's work on a set of customers, each entry with its priority
(relance.core.agenda.priority: amount at stake x (1 + days late) x payer-profile risk).

Read-only. Each kind of work is one query (two with its count) over the indexed status
columns, whatever the size of the ledger; at most LIMIT entries of each kind are listed, the
counts are exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Sum
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.core import agenda as core
from relance.core.dunning import Channel, Policy
from relance.ledger.models import Company, Customer, Invoice
from relance.notes.models import Mention

from .models import Dispute, FollowUp, Hold, Promise, Reminder

Status = Reminder.Status
LIMIT = 200  # entries listed per kind; the counts are exact
HOLDS_ENDING_DAYS = 7
# The engine's grace after a promised date (relance.core.dunning.Policy).
PROMISE_GRACE_DAYS = Policy(default_scenario_id=0).promise_grace_days
LETTERS = (Channel.LETTER.value, Channel.REGISTERED_LETTER.value)
FAILURES = (Status.FAILED, Status.UNCERTAIN)

KINDS = {
    "calls": gettext_lazy("Appels à passer"),
    "tasks": gettext_lazy("Tâches à faire"),
    "approvals": gettext_lazy("Relances à valider"),
    "letters": gettext_lazy("Courriers à imprimer ou poster"),
    "broken_promises": gettext_lazy("Promesses non tenues"),
    "disputes": gettext_lazy("Litiges en attente de réponse"),
    "holds": gettext_lazy("Blocages qui se terminent"),
    "follow_ups": gettext_lazy("Suites d'appel"),
    "mentions": gettext_lazy("Mentions"),
    "limitation": gettext_lazy("Prescription proche"),
    "failures": gettext_lazy("Échecs d'envoi"),
    "self_service": gettext_lazy("Demandes de l'espace client"),
    "risk_alerts": gettext_lazy("Alertes de risque"),
}


@dataclass(frozen=True)
class Entry:
    """One piece of work: what, for whom, how much is at stake; `link` is the page that
    does it (URL name and primary key, None when the page takes none)."""

    kind: str
    customer: Customer
    label: str
    amount: Decimal
    currency: str
    days_late: int
    link: tuple[str, int | None]
    detail: str = ""
    since: date | None = None  # disputes: the day it was opened (their own order)
    follow_up_id: int | None = None

    @property
    def score(self) -> int:
        return core.priority(self.amount, self.days_late, self.customer.payer_profile)

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


@dataclass(frozen=True)
class Agenda:
    counts: dict[str, int]
    entries: list[Entry]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def agenda(
    company: Company, customers: QuerySet[Customer], today: date, kind: str = "", user=None
) -> Agenda:
    """Today's work for `customers` (a member's portfolio, maybe one collector's), highest
    priority first; with `kind`, that kind only (disputes: the oldest first). `user`: whose
    mentions in notes to list (none without one)."""
    work = Work(company, customers, today, user)
    counts, entries = {}, []
    for name, query in work.kinds().items():
        rows = query()
        counts[name] = rows.count()
        if not kind or kind == name:
            entries += getattr(work, f"{name}_entries")(rows[:LIMIT])
    if kind == "disputes":
        entries.sort(key=lambda entry: (entry.since, entry.customer.name))
    else:
        entries.sort(key=lambda entry: (-entry.score, entry.customer.name))
    return Agenda(counts, entries)


class Work:
    """The query and the entries of each kind of work."""

    def __init__(self, company: Company, customers: QuerySet[Customer], today: date, user=None):
        self.company, self.customers, self.today = company, customers, today
        self.user = user
        zone = ZoneInfo(company.time_zone)
        self.end_of_today = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)

    def kinds(self) -> dict[str, Callable[[], QuerySet]]:
        return {name: getattr(self, name) for name in KINDS}

    def _days(self, day: date | None) -> int:
        return max(0, (self.today - day).days) if day else 0

    # --- Reminders: calls, tasks, approvals, letters, failures ---------------------------------

    def _reminders(self, statuses, channels=None) -> QuerySet[Reminder]:
        rows = Reminder.objects.filter(
            company=self.company, customer__in=self.customers, status__in=statuses
        )
        if channels:
            rows = rows.filter(channel__in=channels)
        oldest = Min("items__invoice__due_on", filter=Q(items__invoice__is_credit=False))
        return rows.select_related("customer").annotate(oldest_due_on=oldest)

    def _due(self, channel: str) -> QuerySet[Reminder]:
        """Pending work reminders whose day has come, and whose next attempt is not later."""
        return (
            self._reminders([Status.PENDING], [channel])
            .filter(planned_on__lte=self.today)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=self.end_of_today))
            .order_by("-overdue_amount", "pk")
        )

    def calls(self) -> QuerySet[Reminder]:
        return self._due(Channel.CALL.value)

    def tasks(self) -> QuerySet[Reminder]:
        return self._due(Channel.TASK.value)

    def approvals(self) -> QuerySet[Reminder]:
        return self._reminders([Status.AWAITING_APPROVAL]).order_by("planned_on", "pk")

    def letters(self) -> QuerySet[Reminder]:
        return self._reminders([Status.PENDING], LETTERS).order_by("planned_on", "pk")

    def failures(self) -> QuerySet[Reminder]:
        return self._reminders(FAILURES).order_by("-created_at", "-pk")

    def _reminder_entries(self, kind, rows, link_name, label=None) -> list[Entry]:
        return [
            Entry(
                kind,
                r.customer,
                label(r) if label else f"{r.level}. {r.step_name}",
                r.overdue_amount or r.amount,
                r.currency,
                self._days(r.oldest_due_on),
                (link_name, None if link_name == "reminder_approvals" else r.pk),
                detail=r.get_channel_display(),
            )
            for r in rows
        ]

    def calls_entries(self, rows) -> list[Entry]:
        return self._reminder_entries("calls", rows, "call_sheet", _attempts)

    def tasks_entries(self, rows) -> list[Entry]:
        return self._reminder_entries("tasks", rows, "call_sheet")

    def approvals_entries(self, rows) -> list[Entry]:
        return self._reminder_entries("approvals", rows, "reminder_approvals")

    def letters_entries(self, rows) -> list[Entry]:
        return self._reminder_entries("letters", rows, "reminder_detail")

    def failures_entries(self, rows) -> list[Entry]:
        return self._reminder_entries(
            "failures",
            rows,
            "reminder_detail",
            lambda r: f"{r.get_status_display()} — {r.error or r.step_name}",
        )

    # --- Promises, disputes, holds, follow-ups ---------------------------------------------------

    def broken_promises(self) -> QuerySet[Promise]:
        """Promises past their date plus the engine's grace, still unpaid: an item of the
        promise still open, or, for a promise on the whole account, an overdue item. Broken
        ones (decided by the daily run) and open ones (no run since) alike."""
        items = Promise.invoices.through.objects.filter(promise=OuterRef("pk"))
        open_item = Invoice.objects.filter(promises=OuterRef("pk"), open_amount__gt=0)
        overdue = Invoice.objects.filter(
            customer=OuterRef("customer"), open_amount__gt=0, is_credit=False, due_on__lt=self.today
        )
        return (
            Promise.objects.filter(
                company=self.company,
                customer__in=self.customers,
                status__in=[Promise.Status.OPEN, Promise.Status.BROKEN],
                promised_on__lt=self.today - timedelta(days=PROMISE_GRACE_DAYS),
            )
            .filter(Exists(open_item) | (~Exists(items) & Exists(overdue)))
            .select_related("customer")
            .order_by("promised_on", "pk")
        )

    def broken_promises_entries(self, rows) -> list[Entry]:
        return [
            Entry(
                "broken_promises",
                p.customer,
                _("Promis pour le %(day)s") % _day(p.promised_on),
                p.amount,
                p.currency,
                self._days(p.promised_on),
                ("customer_detail", p.customer_id),
                detail=p.channel,
            )
            for p in rows
        ]

    def disputes(self) -> QuerySet[Dispute]:
        return (
            Dispute.objects.filter(
                company=self.company, customer__in=self.customers, status=Dispute.Status.OPEN
            )
            .select_related("customer", "invoice")
            .order_by("opened_at", "pk")
        )

    def disputes_entries(self, rows) -> list[Entry]:
        return [
            Entry(
                "disputes",
                d.customer,
                f"{d.invoice.number} — {d.get_reason_display()}",
                d.amount or d.invoice.open_amount,
                d.invoice.currency,
                self._days(d.opened_at.date()),
                ("customer_detail", d.customer_id),
                detail=_("ouvert le %(day)s") % _day(d.opened_at.date()),
                since=d.opened_at.date(),
            )
            for d in rows
        ]

    def holds(self) -> QuerySet[Hold]:
        return (
            Hold.objects.filter(
                company=self.company,
                customer__in=self.customers,
                lifted_at__isnull=True,
                ends_on__gte=self.today,
                ends_on__lte=self.today + timedelta(days=HOLDS_ENDING_DAYS),
            )
            .select_related("customer", "invoice")
            .order_by("ends_on", "pk")
        )

    def holds_entries(self, rows) -> list[Entry]:
        rows = list(rows)
        exposure = self._exposure({h.customer_id for h in rows if h.invoice is None})
        entries = []
        for h in rows:
            amount, oldest = (
                (h.invoice.open_amount, h.invoice.due_on)
                if h.invoice
                else exposure.get(h.customer_id, (Decimal(0), None))
            )
            what = h.invoice.number if h.invoice else _("tout le client")
            entries.append(
                Entry(
                    "holds",
                    h.customer,
                    _("%(what)s : fin le %(day)s") % {"what": what, **_day(h.ends_on)},
                    amount,
                    self.company.currency,
                    self._days(oldest),
                    ("customer_detail", h.customer_id),
                    detail=h.reason,
                )
            )
        return entries

    def follow_ups(self) -> QuerySet[FollowUp]:
        return (
            FollowUp.objects.filter(
                company=self.company, customer__in=self.customers, done_at__isnull=True
            )
            .select_related("customer")
            .annotate(at_stake=Sum("invoices__open_amount"), oldest_due_on=Min("invoices__due_on"))
            .order_by("due_on", "pk")
        )

    def follow_ups_entries(self, rows) -> list[Entry]:
        return [
            Entry(
                "follow_ups",
                f.customer,
                f.get_kind_display(),
                f.at_stake or Decimal(0),
                self.company.currency,
                self._days(f.oldest_due_on),
                ("customer_detail", f.customer_id),
                detail=f.note,
                follow_up_id=f.pk,
            )
            for f in rows
        ]

    # --- Mentions in notes (relance.notes) ------------------------------------------------------

    def mentions(self) -> QuerySet[Mention]:
        """Notes that mention the member, not yet marked seen."""
        if self.user is None:
            return Mention.objects.none()
        return (
            Mention.objects.filter(
                user=self.user,
                seen_at__isnull=True,
                note__company=self.company,
                note__customer__in=self.customers,
            )
            .select_related("note__customer", "note__author")
            .order_by("-note__created_at", "-pk")
        )

    def mentions_entries(self, rows) -> list[Entry]:
        rows = list(rows)
        exposure = self._exposure({m.note.customer_id for m in rows})
        entries = []
        for mention in rows:
            note = mention.note
            amount, oldest = exposure.get(note.customer_id, (Decimal(0), None))
            author = note.author.get_full_name() or note.author.get_username()
            entries.append(
                Entry(
                    "mentions",
                    note.customer,
                    _("%(author)s vous a mentionné") % {"author": author},
                    amount,
                    self.company.currency,
                    self._days(oldest),
                    ("note_detail", note.pk),
                    detail=Truncator(note.text).chars(120),
                )
            )
        return entries

    # --- Limitation ------------------------------------------------------------------------------

    def limitation(self) -> QuerySet:
        """Customers with an open item reaching its limitation date within about six months
        (5 years from the due date between businesses, 2 against consumers), or past it."""
        business = Q(
            customer__is_consumer=False,
            due_on__lte=core.latest_due_on_warned(self.today, is_consumer=False),
        )
        consumer = Q(
            customer__is_consumer=True,
            due_on__lte=core.latest_due_on_warned(self.today, is_consumer=True),
        )
        return (
            Invoice.objects.filter(
                company=self.company,
                customer__in=self.customers,
                open_amount__positive=True,
                is_credit=False,
            )
            .filter(business | consumer)
            .values("customer_id")
            .annotate(total=Sum("open_amount"), oldest_due_on=Min("due_on"))
            .order_by("oldest_due_on", "customer_id")
        )

    def limitation_entries(self, rows) -> list[Entry]:
        rows = list(rows)
        customers = Customer.objects.in_bulk([row["customer_id"] for row in rows])
        entries = []
        for row in rows:
            customer = customers[row["customer_id"]]
            barred_on = core.limitation_on(row["oldest_due_on"], customer.is_consumer)
            text = (
                _("Prescrite depuis le %(day)s")
                if barred_on <= self.today
                else _("Prescription le %(day)s")
            )
            entries.append(
                Entry(
                    "limitation",
                    customer,
                    text % _day(barred_on),
                    row["total"],
                    self.company.currency,
                    self._days(row["oldest_due_on"]),
                    ("customer_detail", customer.pk),
                    detail=_("particulier : 2 ans (L218-2)")
                    if customer.is_consumer
                    else _("entre professionnels : 5 ans (L110-4)"),
                )
            )
        return entries

    def _exposure(self, customer_ids: set[int]) -> dict[int, tuple[Decimal, date]]:
        """Overdue amount and oldest overdue due date of each customer, in one query."""
        if not customer_ids:
            return {}
        rows = (
            Invoice.objects.filter(
                customer_id__in=customer_ids,
                open_amount__gt=0,
                is_credit=False,
                due_on__lt=self.today,
            )
            .values("customer_id")
            .annotate(total=Sum("open_amount"), oldest=Min("due_on"))
            .order_by()
        )
        return {row["customer_id"]: (row["total"], row["oldest"]) for row in rows}

    # --- Risk alerts (relance.scoring, which reads this module: imported when used) -------------

    def risk_alerts(self) -> QuerySet:
        from relance.scoring.agenda import open_alerts

        return open_alerts(self)

    def risk_alerts_entries(self, rows) -> list[Entry]:
        from relance.scoring.agenda import alert_entries

        return alert_entries(self, rows)

    # --- What debtors did on their page (relance.portal, which reads this module) ---------------

    def self_service(self) -> QuerySet:
        from relance.portal.agenda import open_actions

        return open_actions(self)

    def self_service_entries(self, rows) -> list[Entry]:
        from relance.portal.agenda import action_entries

        return action_entries(self, rows)


def _attempts(reminder: Reminder) -> str:
    label = f"{reminder.level}. {reminder.step_name}"
    if reminder.attempts:
        label += " — " + _("essai n° %(n)s") % {"n": reminder.attempts + 1}
    return label


def _day(day: date) -> dict:
    return {"day": date_format(day, "SHORT_DATE_FORMAT")}
