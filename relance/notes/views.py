"""Notes pages: a customer's notes (loaded into the customer file by HTMX) with the form to
write one, a note on its own page (where a mention leads), and marking a mention seen.

They live with their app, like relance.evidence.views; relance/web/urls.py routes to them.
Everybody who sees the customer reads its notes; every role but read-only writes them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from relance.team.access import Action
from relance.web.views.base import CompanyView

from . import services
from .forms import NoteForm
from .models import Note

PARTIAL_SIZE = 20  # notes shown in the customer file; the notes page has them all


class NoteView(CompanyView):
    write_action = Action.WRITE_NOTE

    def notes(self):
        """The notes of the customers the member sees, with what a list shows."""
        return (
            Note.objects.filter(company=self.company, customer__in=self.customers())
            .select_related("author", "customer", "invoice", "dispute__invoice", "plan")
            .prefetch_related("mentions__user")
        )


class CustomerNotesView(NoteView):
    """GET: the customer's notes, newest first (the bare list for HTMX); POST: write one."""

    def get(self, request, pk):
        customer = self.get_customer(pk)
        form = NoteForm(customer=customer, initial={"about": request.GET.get("about", "")})
        return self.show(customer, form)

    def post(self, request, pk):
        customer = self.get_customer(pk)
        form = NoteForm(request.POST, customer=customer)
        if form.is_valid():
            try:
                services.write_note(
                    customer, request.user, form.cleaned_data["text"], form.cleaned_data["about"]
                )
            except ValidationError as error:
                form.add_error("text", error)
            else:
                messages.success(request, _("Note enregistrée."))
                url = reverse("customer_detail", args=[self.company.code, customer.pk])
                return redirect(url + "#notes")
        return self.show(customer, form)

    def show(self, customer, form):
        partial = self.request.headers.get("HX-Request") and self.request.method == "GET"
        notes = self.notes().filter(customer=customer)
        context = {
            "customer": customer,
            "notes": notes[:PARTIAL_SIZE] if partial else notes,
            "more": partial and notes.count() > PARTIAL_SIZE,
            "form": form if self.can(Action.WRITE_NOTE) else None,
            "colleagues": services.mentionable_users(customer),
        }
        template = "notes/_notes.html" if partial else "notes/customer_notes.html"
        return render(self.request, template, context)


class NoteDetailView(NoteView):
    """One note, with whom it mentions; its mention of the reader can be marked seen here."""

    def get(self, request, pk):
        note = get_object_or_404(self.notes(), pk=pk)
        mine = [m for m in note.mentions.all() if m.user_id == request.user.pk]
        context = {"note": note, "customer": note.customer, "my_mention": mine[0] if mine else None}
        return render(request, "notes/note_detail.html", context)


class MentionSeenView(NoteView):
    """POST: the reader's mention in the note leaves their agenda. Any member may mark their
    own mention (a read-only colleague can be mentioned)."""

    write_action = Action.VIEW

    def post(self, request, pk):
        note = get_object_or_404(self.notes(), pk=pk)
        if services.mark_seen(note, request.user):
            messages.success(request, _("Mention marquée comme lue."))
        return redirect("agenda", code=self.company.code)
