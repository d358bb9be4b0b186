"""The note form: parse what people type; relance.notes.services writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from relance.dunning.models import Dispute
from relance.ledger.models import Invoice
from relance.plans.models import PaymentPlan

from .models import dispute_label, invoice_label, plan_label

MODELS = {"invoice": Invoice, "dispute": Dispute, "plan": PaymentPlan}


class NoteForm(forms.Form):
    """The text (with @mentions) and, optionally, what the note is about: an open invoice, an
    open dispute or an active payment plan of the customer."""

    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "« @identifiant » prévient un collègue qui a accès à ce client (e-mail et agenda)."
        ),
    )
    about = forms.ChoiceField(label=_("Concerne"), required=False)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["about"].choices = [("", _("Le client en général"))] + about_choices(customer)

    def clean_about(self):
        value = self.cleaned_data["about"]
        if not value:
            return None
        kind, _sep, pk = value.partition(":")
        model = MODELS.get(kind)
        found = None
        if model is not None and pk.isdigit():
            found = model.objects.filter(customer=self.customer, pk=pk).first()
        if found is None:
            raise forms.ValidationError(
                gettext("Choisissez une pièce, un litige ou un échéancier du client.")
            )
        return found


def about_choices(customer) -> list[tuple[str, str]]:
    """What a note may be about, each as ("kind:id", label)."""
    invoices = customer.invoices.filter(open_amount__gt=0).order_by("due_on", "number")
    disputes = customer.disputes.filter(status=Dispute.Status.OPEN).select_related("invoice")
    plans = customer.payment_plans.filter(status=PaymentPlan.Status.ACTIVE)
    return (
        [(f"invoice:{i.pk}", invoice_label(i)) for i in invoices]
        + [(f"dispute:{d.pk}", dispute_label(d)) for d in disputes]
        + [(f"plan:{p.pk}", plan_label(p)) for p in plans]
    )
