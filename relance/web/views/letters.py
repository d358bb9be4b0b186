"""The print queue (letters and registered letters to print and post), one letter's
follow-up (tracking, delivery, acknowledgement of receipt), the kept PDFs, and a customer's
account statement. relance.letters.services writes."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.dunning.channels import PermanentFailure, TemporaryFailure
from relance.dunning.models import Reminder
from relance.letters import providers, services
from relance.letters.documents import letter_pdf, statement_pdf
from relance.letters.forms import CHANNEL_FILTERS, DeliveryForm, ReceiptForm
from relance.letters.models import Letter
from relance.team.access import Action

from .dunning import DunningView

# Registered letters posted within this many days stay listed until their receipt is in.
FOLLOW_UP_DAYS = 90


class LetterView(DunningView):
    write_action = Action.DUN

    def letters(self):
        return self.reminders().filter(channel__in=services.PRINTABLE)

    def selected(self, request) -> list[Reminder]:
        ids = [int(pk) for pk in request.POST.getlist("reminders") if pk.isdigit()]
        return list(self.letters().filter(pk__in=ids).order_by("customer__name", "pk"))


class LetterQueueView(LetterView):
    """Letters to print and post (awaiting approval: shown, not printable), and registered
    letters posted whose delivery or receipt is still to record."""

    def get(self, request):
        channel = request.GET.get("channel", "")
        letters = self.letters().select_related("letter")
        if channel in services.PRINTABLE:
            letters = letters.filter(channel=channel)
        waiting = letters.filter(
            status__in=[Reminder.Status.PENDING, Reminder.Status.AWAITING_APPROVAL]
        ).order_by("planned_on", "customer__name", "pk")
        since = timezone.now() - timedelta(days=FOLLOW_UP_DAYS)
        following = (
            letters.filter(status=Reminder.Status.SENT, sent_at__gte=since, letter__receipt_path="")
            .exclude(channel="letter")
            .order_by("sent_at", "pk")
        )
        return render(
            request,
            "web/letter_queue.html",
            {
                "waiting": waiting,
                "following": following,
                "channel": channel,
                "channels": CHANNEL_FILTERS,
                "can_dun": self.can(Action.DUN),
                "provider": providers.provider(),
            },
        )


class LetterPrintView(LetterView):
    """POST only: one PDF of the selected letters (kept once printed, never re-rendered)."""

    def post(self, request):
        result = services.print_letters(self.selected(request), request.user, self.today)
        for reminder, reason in result.left_out:
            messages.warning(request, f"{reminder.customer.name} : {reason}")
        if not result.letters:
            if not result.left_out:
                messages.error(request, _("Aucun courrier sélectionné."))
            return redirect("letter_queue", code=self.company.code)
        response = HttpResponse(result.pdf, content_type="application/pdf")
        name = f"courriers-{self.company.code}-{self.today:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class LetterPostView(LetterView):
    """POST only: the selected printed letters are posted (with their tracking numbers)."""

    def post(self, request):
        reminders = self.selected(request)
        tracking = {r.pk: request.POST.get(f"tracking_{r.pk}", "") for r in reminders}
        posted, left_out = services.mark_posted(reminders, request.user, tracking)
        for reminder, reason in left_out:
            messages.warning(request, f"{reminder.customer.name} : {reason}")
        if posted:
            messages.success(request, _("%(n)d courrier(s) postés.") % {"n": len(posted)})
        elif not left_out:
            messages.error(request, _("Aucun courrier sélectionné."))
        return redirect("letter_queue", code=self.company.code)


class LetterSendView(LetterView):
    """POST only: a printed registered letter sent through the configured provider."""

    def post(self, request, pk):
        reminder = get_object_or_404(self.letters(), pk=pk)
        provider = providers.provider()
        if provider is None:
            messages.error(request, _("Aucun prestataire de recommandé électronique configuré."))
            return redirect("letter_queue", code=self.company.code)
        try:
            letter = services.send_electronically(reminder, request.user, provider)
        except ValidationError as error:
            messages.warning(request, f"{reminder.customer.name} : {' '.join(error.messages)}")
        except (TemporaryFailure, PermanentFailure) as failure:
            messages.error(request, f"{reminder.customer.name} : {failure}")
        else:
            messages.success(
                request,
                _("Envoyée par %(p)s (n° %(id)s).")
                % {"p": provider.name, "id": letter.provider_id},
            )
        return redirect("letter_queue", code=self.company.code)


class LetterDetailView(LetterView):
    """One letter: its status, the kept PDF, and for a registered letter the delivery and
    the acknowledgement of receipt."""

    def get(self, request, pk):
        reminder = get_object_or_404(self.letters(), pk=pk)
        return self.show(reminder, DeliveryForm(), ReceiptForm())

    def post(self, request, pk):
        reminder = get_object_or_404(self.letters(), pk=pk)
        letter = get_object_or_404(Letter, reminder=reminder)
        delivery, receipt = DeliveryForm(), ReceiptForm()
        if "receipt" in request.FILES:
            receipt = ReceiptForm(request.POST, request.FILES)
            form, save = (
                receipt,
                lambda data: services.attach_receipt(letter, data["receipt"], request.user),
            )
        else:
            delivery = DeliveryForm(request.POST)
            form, save = (
                delivery,
                lambda data: services.record_delivery(
                    letter, data["status"], data["on"], request.user
                ),
            )
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Enregistré."))
                return redirect("letter_detail", code=self.company.code, pk=reminder.pk)
        return self.show(reminder, delivery, receipt)

    def show(self, reminder, delivery, receipt):
        letter = Letter.objects.filter(reminder=reminder).first()
        return render(
            self.request,
            "web/letter_detail.html",
            {
                "reminder": reminder,
                "letter": letter,
                "is_registered": reminder.channel == "registered_letter",
                "delivery_form": delivery,
                "receipt_form": receipt,
                "can_dun": self.can(Action.DUN),
                "events": reminder.events.select_related("user"),
            },
        )


class LetterPdfView(LetterView):
    """The letter as kept once printed; before that, a preview rendered now (not kept)."""

    def get(self, request, pk):
        reminder = get_object_or_404(self.letters(), pk=pk)
        letter = Letter.objects.filter(reminder=reminder).first()
        if letter is not None:
            content = services.stored(letter.pdf_path).read_bytes()
        else:
            try:
                content = letter_pdf(reminder, self.today)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("letter_queue", code=self.company.code)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="lettre-{reminder.pk}.pdf"'
        return response


class LetterReceiptView(LetterView):
    """The kept acknowledgement of receipt."""

    def get(self, request, pk):
        reminder = get_object_or_404(self.letters(), pk=pk)
        letter = get_object_or_404(Letter, reminder=reminder)
        if not letter.receipt_path:
            raise Http404
        path = services.stored(letter.receipt_path)
        return FileResponse(path.open("rb"), filename=path.name)


class CustomerStatementView(DunningView):
    """The account statement (relevé de compte) of a customer, as a PDF."""

    def get(self, request, pk):
        customer = self.get_customer(pk)
        currency = request.GET.get("currency", "")[:3].upper()
        content = statement_pdf(customer, self.today, currency)
        response = HttpResponse(content, content_type="application/pdf")
        name = f"releve-{customer.code}-{self.today:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
