"""Dunning pages: approvals, the outbox and its history, runs, the scenario editor, and the
dunning part of the customer file (holds, disputes, promises, timeline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.core.calendar import BusinessCalendar
from relance.core.dunning import Reason
from relance.dunning import actions
from relance.dunning.forms import (
    DisputeForm,
    HoldForm,
    PromiseForm,
    ReminderDecisionForm,
    ReminderResolutionForm,
    ResolveDisputeForm,
    ScenarioForm,
    StepFormSet,
    StepTemplateForm,
)
from relance.dunning.models import (
    Dispute,
    DunningRun,
    Exclusion,
    Hold,
    Promise,
    Reminder,
    Scenario,
    Step,
    StepTemplate,
)
from relance.imports.models import ImportBatch
from relance.notes.models import Note
from relance.team.access import Action
from relance.team.models import Role

from .banking import bank_freshness_context
from .base import CompanyView, FormView

REASON_LABELS = {
    Reason.PAID: gettext_lazy("payé"),
    Reason.DISPUTED: gettext_lazy("en litige"),
    Reason.PROMISED: gettext_lazy("promesse en cours"),
    Reason.ON_HOLD: gettext_lazy("blocage"),
    Reason.PAYMENT_PLAN: gettext_lazy("échéancier"),
    Reason.AUTOMATIC_PAYER: gettext_lazy("prélèvement automatique"),
    Reason.UNDER_MINIMUM: gettext_lazy("montant minimal non atteint"),
    Reason.HANDED_OVER: gettext_lazy("transmis au contentieux"),
    Reason.MIN_GAP: gettext_lazy("écart minimal"),
    Reason.CREDIT_BALANCE: gettext_lazy("solde créditeur"),
    Reason.INSTALMENT_TODAY: gettext_lazy("échéance rappelée ce jour"),
}
OUTBOX_SIZE = 200


class DunningView(CompanyView):
    def reminders(self):
        return Reminder.objects.filter(
            company=self.company, customer__in=self.customers()
        ).select_related("customer")


# --- Approvals and outbox -------------------------------------------------------------------


class ApprovalListView(DunningView):
    """Reminders waiting for a person; approvers may edit the text first."""

    def get(self, request):
        waiting = self.reminders().filter(status=Reminder.Status.AWAITING_APPROVAL)
        rows = [
            (reminder, ReminderDecisionForm(initial=_decision_initial(reminder)))
            for reminder in waiting.order_by("planned_on", "pk")
        ]
        return render(
            request,
            "web/dunning_approvals.html",
            {
                "rows": rows,
                "can_approve": self.can(Action.APPROVE),
                # A formal notice is approved by a manager or an admin only (actions.py).
                "can_approve_notices": self.request.membership.role in (Role.ADMIN, Role.MANAGER),
                **bank_freshness_context(self.company, self.today),
            },
        )


def _decision_initial(reminder: Reminder) -> dict:
    return {"subject": reminder.subject, "body_text": reminder.body_text}


class ReminderDecisionView(DunningView):
    """POST only: approve (with the edited text) or reject a reminder awaiting approval."""

    action = Action.APPROVE

    def post(self, request, pk):
        reminder = get_object_or_404(self.reminders(), pk=pk)
        form = ReminderDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Relance non traitée : formulaire incomplet."))
            return redirect("reminder_approvals", code=self.company.code)
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                actions.approve_reminder(reminder, request.user, data["subject"], data["body_text"])
                messages.success(request, _("Relance validée."))
            else:
                actions.reject_reminder(reminder, request.user, data["note"])
                messages.success(request, _("Relance refusée."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("reminder_approvals", code=self.company.code)


class ReminderResolveView(DunningView):
    """POST only: a person settles an uncertain or failed reminder."""

    action = Action.APPROVE

    def post(self, request, pk):
        reminder = get_object_or_404(self.reminders(), pk=pk)
        form = ReminderResolutionForm(request.POST)
        if form.is_valid():
            try:
                actions.resolve_reminder(
                    reminder, request.user, form.cleaned_data["decision"], form.cleaned_data["note"]
                )
                messages.success(request, _("Relance traitée."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.error(request, _("Relance non traitée : formulaire incomplet."))
        return redirect("reminder_detail", code=self.company.code, pk=reminder.pk)


# Reminders a person must look at: the outbox says how many (last 30 days).
TO_SETTLE = (Reminder.Status.FAILED, Reminder.Status.UNCERTAIN)


class OutboxView(DunningView):
    """The Boîte d'envoi: recent reminders, what they are and where they stand."""

    def get(self, request):
        reminders = self.reminders().order_by("-created_at", "-pk")
        status = request.GET.get("status")
        if status in Reminder.Status.values:
            reminders = reminders.filter(status=status)
        return render(
            request,
            "web/dunning_outbox.html",
            {
                "reminders": reminders[:OUTBOX_SIZE],
                "statuses": Reminder.Status.choices,
                "status": status,
                "to_settle": self._to_settle(),
            },
        )

    def _to_settle(self) -> list[tuple[str, str, int]]:
        """(status, label, count) of the failed and uncertain reminders of the last 30 days."""
        since = timezone.now() - timedelta(days=30)
        counts = dict(
            self.reminders()
            .filter(status__in=TO_SETTLE, created_at__gte=since)
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        labels = dict(Reminder.Status.choices)
        return [(s, labels[s], counts[s]) for s in TO_SETTLE if s in counts]


class ReminderDetailView(DunningView):
    """What was sent, as sent: read-only, with its append-only history; an uncertain or failed
    reminder offers its resolution to those who may approve."""

    def get(self, request, pk):
        reminder = get_object_or_404(self.reminders(), pk=pk)
        can_settle = reminder.status in TO_SETTLE and self.can(Action.APPROVE)
        return render(
            request,
            "web/dunning_reminder.html",
            {
                "reminder": reminder,
                "can_settle": can_settle,
                "items": reminder.items.select_related("invoice").order_by("invoice__due_on"),
                "events": reminder.events.select_related("user"),
            },
        )


# --- Runs ---------------------------------------------------------------------------------


class RunListView(DunningView):
    def get(self, request):
        runs = DunningRun.objects.filter(company=self.company).select_related("user")
        return render(
            request,
            "web/dunning_runs.html",
            {"runs": runs[:100], **bank_freshness_context(self.company, self.today)},
        )


class RunDetailView(DunningView):
    def get(self, request, pk):
        run = get_object_or_404(DunningRun.objects.filter(company=self.company), pk=pk)
        exclusions = (
            Exclusion.objects.filter(run=run, customer__in=self.customers())
            .select_related("customer", "invoice")
            .order_by("customer__name", "invoice__due_on")
        )
        rows = [(row, REASON_LABELS.get(row.reason, row.reason)) for row in exclusions]
        return render(request, "web/dunning_run.html", {"run": run, "rows": rows})


# --- Scenarios ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineStep:
    step: Step
    planned_on: date
    moved: bool  # the date fell on a weekend or public holiday


def scenario_timeline(steps, due_on: date, calendar: BusinessCalendar) -> list[TimelineStep]:
    """Each step's date on an invoice due `due_on`: its offset, the minimum gap since the
    previous step, then the next business day."""
    timeline: list[TimelineStep] = []
    previous: date | None = None
    for step in sorted(steps, key=lambda s: s.level):
        day = due_on + timedelta(days=step.offset_days)
        if previous is not None:
            day = max(day, previous + timedelta(days=step.min_gap_days))
        planned_on = calendar.next_business_day(day)
        timeline.append(TimelineStep(step, planned_on, planned_on != day))
        previous = planned_on
    return timeline


class ScenarioListView(DunningView):
    def get(self, request):
        scenarios = Scenario.objects.filter(company=self.company).prefetch_related("steps")
        return render(request, "web/dunning_scenarios.html", {"scenarios": scenarios})


class ScenarioDetailView(DunningView):
    """Managers edit the steps; everybody sees them and the example timeline."""

    write_action = Action.MANAGE_SCENARIOS

    def scenario(self, pk) -> Scenario:
        return get_object_or_404(Scenario.objects.filter(company=self.company), pk=pk)

    def get(self, request, pk):
        scenario = self.scenario(pk)
        return self.show(scenario, ScenarioForm(instance=scenario), _formset(scenario))

    def post(self, request, pk):
        scenario = self.scenario(pk)
        form = ScenarioForm(request.POST, instance=scenario)
        formset = _formset(scenario, request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                actions.save_scenario(scenario, form.cleaned_data, *_step_changes(formset))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Enregistré."))
                return redirect("scenario_detail", code=self.company.code, pk=scenario.pk)
        return self.show(scenario, form, formset)

    def show(self, scenario, form, formset):
        due_on = self.today
        steps = list(scenario.steps.prefetch_related("templates"))
        context = {
            "scenario": scenario,
            "form": form,
            "formset": formset,
            "steps": steps,
            "issued_on": due_on - timedelta(days=30),
            "due_on": due_on,
            "timeline": scenario_timeline(steps, due_on, BusinessCalendar()),
            "can_manage": self.can(Action.MANAGE_SCENARIOS),
        }
        return render(self.request, "web/dunning_scenario.html", context)


def _formset(scenario, data=None):
    return StepFormSet(data, queryset=scenario.steps.all(), prefix="steps")


def _step_changes(formset):
    fields = list(formset.form._meta.fields)
    kept = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or (not form.instance.pk and not form.has_changed()):
            continue
        kept.append((form.instance, {name: data[name] for name in fields}))
    deleted = [form.instance for form in formset.deleted_forms if form.instance.pk]
    return kept, deleted


class StepTemplateView(FormView):
    """The text of one step in one language, with a live preview (HTMX)."""

    write_action = Action.MANAGE_SCENARIOS
    template_name = "web/dunning_template.html"

    def step(self, pk) -> Step:
        return get_object_or_404(
            Step.objects.filter(scenario__company=self.company).select_related("scenario"), pk=pk
        )

    def get(self, request, pk):
        step = self.step(pk)
        language = request.GET.get("language", "fr")
        template = StepTemplate.objects.filter(step=step, language=language).first()
        initial = {"language": language}
        if template:
            initial.update(subject=template.subject, body=template.body)
        return self.render_step(step, StepTemplateForm(initial=initial))

    def post(self, request, pk):
        step = self.step(pk)
        form = StepTemplateForm(request.POST)
        return self.save_or_render(
            form,
            lambda form: actions.save_step_template(step, **form.cleaned_data),
            lambda saved: reverse("scenario_detail", args=[self.company.code, step.scenario_id]),
            **self.extra(step),
        )

    def render_step(self, step, form):
        return self.render_form(form, **self.extra(step))

    def extra(self, step):
        return {
            "title": f"{step.scenario} — {step}",
            "step": step,
            "can_edit": self.can(Action.MANAGE_SCENARIOS),
            "cancel_url": reverse("scenario_detail", args=[self.company.code, step.scenario_id]),
        }


class TemplatePreviewView(DunningView):
    """HTMX: the template as the customer would read it, on an example customer."""

    write_action = Action.VIEW  # a preview writes nothing

    def post(self, request):
        form = StepTemplateForm(request.POST)
        context = {"error": None, "preview": None}
        if not form.is_valid():
            context["error"] = _("Objet et texte sont obligatoires.")
        else:
            context.update(_preview(self.company, form.cleaned_data))
        return render(request, "web/dunning_preview.html", context)


def _preview(company, data) -> dict:
    try:
        from relance.dunning.render import example_context, render_preview
    except ImportError:  # the renderer ships separately; the editor works without it
        return {"error": _("L'aperçu n'est pas encore disponible.")}
    example = example_context(company, data["language"])
    try:
        subject, text, html = render_preview(data["subject"], data["body"], example)
    except ValueError as error:  # TemplateTextError: shown beside the editor
        return {"error": _("Modèle invalide : %(error)s") % {"error": error}}
    return {"preview": {"subject": subject, "text": text, "html": html}}


# --- Customer file ------------------------------------------------------------------------


class CustomerDunningView(DunningView):
    """The dunning part of the customer file (loaded by HTMX): holds, disputes, promises,
    their forms and the latest events."""

    def get(self, request, pk):
        customer = self.get_customer(pk)
        context = {
            "customer": customer,
            "holds": customer.holds.filter(lifted_at__isnull=True).select_related("invoice"),
            "disputes": customer.disputes.select_related("invoice", "owner").order_by(
                "status", "-opened_at"
            ),
            "promises": customer.promises.prefetch_related("invoices").order_by("-promised_on"),
            "payment_plans": customer.payment_plans.annotate(instalment_count=Count("instalments")),
            "can_dun": self.can(Action.DUN),
            "today": self.today,
            "resolutions": Dispute.Resolution.choices,
        }
        if context["can_dun"]:
            context.update(
                hold_form=HoldForm(customer=customer),
                dispute_form=DisputeForm(customer=customer),
                promise_form=PromiseForm(customer=customer),
            )
        return render(request, "web/dunning_customer.html", context)


class CustomerFormView(FormView):
    """GET shows one dunning form on its own page, POST calls the action."""

    action = Action.DUN
    form_class: type = HoldForm
    title = ""

    def get(self, request, pk):
        customer = self.get_customer(pk)
        return self.render_form(self.form_class(customer=customer), cancel=customer)

    def post(self, request, pk):
        customer = self.get_customer(pk)
        form = self.form_class(request.POST, customer=customer)
        return self.save_or_render(
            form,
            lambda form: self.save(customer, form.cleaned_data),
            lambda saved: _customer_url(customer),
            cancel=customer,
        )

    def render_form(self, form, **extra):
        return super().render_form(form, **extra, **{"title": str(self.title)})


class HoldCreateView(CustomerFormView):
    form_class = HoldForm
    title = gettext_lazy("Suspendre les relances")

    def save(self, customer, data):
        return actions.put_on_hold(customer, self.request.user, **data)


class DisputeCreateView(CustomerFormView):
    form_class = DisputeForm
    title = gettext_lazy("Ouvrir un litige")

    def save(self, customer, data):
        invoice = data.pop("invoice")
        return actions.open_dispute(invoice, self.request.user, **data)


class PromiseCreateView(CustomerFormView):
    form_class = PromiseForm
    title = gettext_lazy("Enregistrer une promesse de règlement")

    def save(self, customer, data):
        return actions.record_promise(customer, self.request.user, **data)


class HoldLiftView(DunningView):
    action = Action.DUN

    def post(self, request, pk):
        hold = get_object_or_404(Hold.objects.filter(customer__in=self.customers()), pk=pk)
        actions.lift_hold(hold, request.user)
        messages.success(request, _("Blocage levé."))
        return redirect(_customer_url(hold.customer))


class DisputeResolveView(DunningView):
    action = Action.DUN

    def post(self, request, pk):
        dispute = get_object_or_404(Dispute.objects.filter(customer__in=self.customers()), pk=pk)
        form = ResolveDisputeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choisissez une résolution."))
            return redirect(_customer_url(dispute.customer))
        actions.resolve_dispute(dispute, request.user, **form.cleaned_data)
        messages.success(request, _("Litige résolu."))
        return redirect(_customer_url(dispute.customer))


@dataclass(frozen=True)
class TimelineEntry:
    at: object  # date or datetime; sorted on `sort_key`
    kind: str
    label: str
    detail: str = ""
    status: str = ""
    url: str = ""

    @property
    def sort_key(self) -> str:
        return self.at.isoformat()


class CustomerTimelineView(DunningView):
    """Reminders, payments, disputes, promises, holds and imports, newest first."""

    def get(self, request, pk):
        customer = self.get_customer(pk)
        entries = sorted(customer_timeline(customer), key=lambda e: e.sort_key, reverse=True)
        template = (
            "web/dunning_timeline.html"
            if request.headers.get("HX-Request")
            else "web/customer_timeline.html"
        )
        return render(request, template, {"customer": customer, "entries": entries})


def customer_timeline(customer) -> list[TimelineEntry]:
    code = customer.company.code
    entries = [
        TimelineEntry(
            r.created_at,
            _("Relance"),
            f"{r.level}. {r.step_name}",
            f"{r.get_channel_display()} — {r.subject}",
            r.get_status_display(),
            reverse("reminder_detail", args=[code, r.pk]),
        )
        for r in Reminder.objects.filter(customer=customer)
    ]
    entries += [
        TimelineEntry(p.received_on, _("Règlement"), f"{p.amount} {p.currency}", p.reference)
        for p in customer.payments.all()
    ]
    entries += [
        TimelineEntry(
            d.opened_at,
            _("Litige"),
            d.invoice.number,
            d.get_reason_display(),
            " — ".join(filter(None, [d.get_status_display(), d.get_resolution_display()])),
        )
        for d in Dispute.objects.filter(customer=customer).select_related("invoice")
    ]
    entries += [
        TimelineEntry(
            p.created_at,
            _("Promesse"),
            f"{p.amount} {p.currency}",
            _("pour le %(day)s") % {"day": p.promised_on.isoformat()},
            _promise_status(p),
        )
        for p in Promise.objects.filter(customer=customer)
    ]
    entries += [
        TimelineEntry(
            h.created_at,
            _("Blocage"),
            h.invoice.number if h.invoice else _("Tout le client"),
            h.reason,
            _("levé") if h.lifted_at else "",
        )
        for h in Hold.objects.filter(customer=customer).select_related("invoice")
    ]
    from relance.portal.timeline import debtor_entries  # what the debtor did on their page

    return entries + _imports(customer) + _notes(customer) + debtor_entries(customer)


def _notes(customer) -> list[TimelineEntry]:
    """Internal notes (relance.notes), each linked to its page."""
    notes = Note.objects.filter(customer=customer).select_related(
        "author", "invoice", "dispute__invoice", "plan"
    )
    return [
        TimelineEntry(
            n.created_at,
            _("Note"),
            Truncator(n.text).chars(80),
            " — ".join(
                filter(None, [n.author.get_full_name() or n.author.get_username(), n.about])
            ),
            "",
            reverse("note_detail", args=[customer.company.code, n.pk]),
        )
        for n in notes
    ]


def _promise_status(promise: Promise) -> str:
    if promise.decided_on is None:
        return str(promise.get_status_display())
    return _("%(status)s le %(day)s") % {
        "status": promise.get_status_display(),
        "day": promise.decided_on.isoformat(),
    }


def _imports(customer) -> list[TimelineEntry]:
    batches = ImportBatch.objects.filter(
        Q(invoices__customer=customer) | Q(payments__customer=customer)
    ).distinct()
    return [
        TimelineEntry(
            b.started_at,
            _("Import"),
            b.file_name,
            b.get_kind_display(),
            b.get_status_display(),
            reverse("import_detail", args=[customer.company.code, b.pk]),
        )
        for b in batches
    ]


def _customer_url(customer) -> str:
    return reverse("customer_detail", args=[customer.company.code, customer.pk])
