"""The call sheet of a "call" or "task" reminder: who to call, what is owed, the history, the
talking points, and the outcome form (relance.dunning.calls writes); follow-ups done."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from relance.dunning import calls
from relance.dunning.forms import CallOutcomeForm
from relance.dunning.models import Call, FollowUp, Reminder
from relance.dunning.render import TemplateTextError, render_reminder
from relance.ledger import services
from relance.team.access import Action

from .dunning import DunningView, TimelineEntry, customer_timeline

HISTORY_SIZE = 15


class CallSheetView(DunningView):
    """Everybody who sees the customer reads the sheet; those who dun record the outcome."""

    write_action = Action.DUN

    def reminder(self, pk) -> Reminder:
        reminders = self.reminders().filter(channel__in=calls.WORK_CHANNELS)
        return get_object_or_404(reminders.select_related("customer__collector"), pk=pk)

    def get(self, request, pk):
        reminder = self.reminder(pk)
        return self.show(reminder, self.form(reminder))

    def post(self, request, pk):
        reminder = self.reminder(pk)
        form = self.form(reminder, request.POST)
        if form.is_valid():
            try:
                calls.record_call(reminder, request.user, form.report(), self.today)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Appel enregistré."))
                return redirect("agenda", code=self.company.code)
        return self.show(reminder, form)

    def form(self, reminder: Reminder, data=None) -> CallOutcomeForm:
        contacts = list(reminder.customer.contacts.all())
        return CallOutcomeForm(
            data,
            outcomes=calls.OUTCOMES[reminder.channel],
            numbers=[
                (f"{contact.pk}:{number}", f"{contact.name} — {number}")
                for contact in contacts
                for number in _numbers(contact)
            ],
            invoices=reminder.customer.invoices.filter(
                reminder_items__reminder=reminder, is_credit=False, open_amount__gt=0
            ).order_by("due_on"),
            contacts=contacts,
            initial={"amount": reminder.overdue_amount or reminder.amount},
        )

    def show(self, reminder: Reminder, form: CallOutcomeForm):
        customer = reminder.customer
        context = {
            "reminder": reminder,
            "customer": customer,
            "contacts": _contacts(customer),
            "items": reminder.items.select_related("invoice").order_by("invoice__due_on"),
            "position": services.position_of(customer, self.today, reminder.currency),
            "script": _script(reminder),
            "history": _history(customer),
            "calls": reminder.calls.select_related("contact", "user"),
            "events": reminder.events.select_related("user"),
            "can_record": self.can(Action.DUN) and reminder.status == Reminder.Status.PENDING,
            "form": form,
            "today": self.today,
        }
        return render(self.request, "web/call_sheet.html", context)


def _numbers(contact) -> list[str]:
    return [number for number in (contact.mobile, contact.phone) if number]


def _contacts(customer) -> list[dict]:
    """Each contact with its numbers, a number a caller found wrong flagged as such."""
    wrong = calls.wrong_numbers(customer)
    return [
        {
            "contact": contact,
            "numbers": [
                {
                    "number": number,
                    "tel": number.replace(" ", ""),
                    "wrong": (contact.pk, number) in wrong,
                }
                for number in _numbers(contact)
            ],
        }
        for contact in customer.contacts.all()
    ]


def _script(reminder: Reminder) -> dict:
    """The talking points: the text kept on the reminder (approved or said), else the step's
    call script rendered now, with today's amounts."""
    if reminder.body_text:
        return {"subject": reminder.subject, "text": reminder.body_text, "error": ""}
    try:
        subject, text, _html = render_reminder(reminder)
    except TemplateTextError as error:
        return {"subject": "", "text": "", "error": str(error)}
    return {"subject": subject, "text": text, "error": ""}


def _history(customer) -> list[TimelineEntry]:
    entries = customer_timeline(customer) + [
        TimelineEntry(
            call.at,
            _("Appel"),
            call.get_outcome_display(),
            call.note,
            call.phone,
        )
        for call in Call.objects.filter(customer=customer)
    ]
    return sorted(entries, key=lambda e: e.sort_key, reverse=True)[:HISTORY_SIZE]


class FollowUpDoneView(DunningView):
    """POST only: a follow-up is done (collectors who dun, or the accountant who checked the
    bank for an announced payment)."""

    write_action = Action.VIEW  # either of two rights, checked below

    def post(self, request, pk):
        if not (self.can(Action.DUN) or self.can(Action.EDIT_LEDGER)):
            raise PermissionDenied
        follow_up = get_object_or_404(
            FollowUp.objects.filter(company=self.company, customer__in=self.customers()), pk=pk
        )
        try:
            calls.complete_follow_up(follow_up, request.user, request.POST.get("note", "")[:500])
            messages.success(request, _("Suite marquée comme faite."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("agenda", code=self.company.code)
