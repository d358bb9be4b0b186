"""The debtor's forms (one per action, each with its own prefix so their fields never share
an id) and the company's: parse what people type; relance.portal.services writes."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from relance.dunning.models import Dispute
from relance.web.templatetags.relance_format import money

from .models import PortalPolicy
from .services import open_items

DATE = "%Y-%m-%d"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several optional files; their content is checked by relance.portal.uploads."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(required=False, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def invoice_label(invoice) -> str:
    """An open invoice as the debtor reads it: number, what it still owes, due date."""
    return _("%(number)s — %(amount)s, échéance le %(day)s") % {
        "number": invoice.number,
        "amount": money(invoice.open_amount, invoice.currency),
        "day": date_format(invoice.due_on, "SHORT_DATE_FORMAT"),
    }


class InvoiceChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, invoice) -> str:
        return invoice_label(invoice)


class InvoiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, invoice) -> str:
        return invoice_label(invoice)


class DebtorForm(forms.Form):
    """A form of the debtor's page: knows the customer, today and the company's rules."""

    def __init__(self, *args, customer, today, policy: PortalPolicy, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer, self.today, self.policy = customer, today, policy
        if "invoices" in self.fields:
            self.fields["invoices"].queryset = open_items(customer)

    def invoices(self):
        return list(self.cleaned_data.get("invoices") or [])


ALL_WHEN_NONE = _("Aucune cochée : toutes vos factures ouvertes.")


def _invoices(help_text=ALL_WHEN_NONE):
    return InvoiceChoices(label=_("Factures"), queryset=None, required=False, help_text=help_text)


def _date(label, **attrs):
    widget = forms.DateInput(attrs={"type": "date", **attrs}, format=DATE)
    return forms.DateField(label=label, widget=widget)


def _amount(label):
    return forms.DecimalField(
        label=label,
        min_value=0.01,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class PromiseForm(DebtorForm):
    prefix = "promise"
    invoices = _invoices()
    promised_on = _date(_("Je paierai le"))
    amount = _amount(_("Montant"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = self.today + timedelta(days=self.policy.promise_max_days)
        self.fields["promised_on"].widget.attrs.update(
            min=self.today.strftime(DATE), max=latest.strftime(DATE)
        )
        self.fields["promised_on"].help_text = _("Au plus tard le %(day)s.") % {
            "day": date_format(latest, "SHORT_DATE_FORMAT")
        }


class ClaimForm(DebtorForm):
    prefix = "claim"
    invoices = _invoices()
    paid_on = _date(_("Date du paiement"))
    amount = _amount(_("Montant payé"))
    files = FilesField(
        label=_("Justificatif (facultatif)"),
        help_text=_("Avis de virement, relevé : PDF, PNG ou JPEG."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].widget.attrs.update(max=self.today.strftime(DATE))


class DisputeForm(DebtorForm):
    prefix = "dispute"
    invoice = InvoiceChoice(label=_("Facture contestée"), queryset=None)
    reason = forms.ChoiceField(label=_("Motif"), choices=Dispute.Reason.choices)
    description = forms.CharField(
        label=_("Expliquez-nous"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = FilesField(
        label=_("Pièces jointes (facultatif)"),
        help_text=_("Bon de livraison, photos, courrier : PDF, PNG ou JPEG."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = open_items(self.customer)


class PlanForm(DebtorForm):
    prefix = "plan"
    invoices = _invoices()
    note = forms.CharField(
        label=_("Message (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        most = self.policy.plan_max_instalments
        self.fields["instalments"] = forms.IntegerField(
            label=_("Nombre d'échéances mensuelles"),
            min_value=2,
            max_value=most,
            help_text=_("De 2 à %(most)s.") % {"most": most},
        )
        self.order_fields(["invoices", "instalments", "note"])


class PayForm(DebtorForm):
    prefix = "pay"
    invoices = _invoices(help_text="")


# --- The company's side ------------------------------------------------------------------------


class AcceptPlanForm(forms.Form):
    first_on = forms.DateField(
        label=_("Première échéance le"),
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE),
    )


class RefusePlanForm(forms.Form):
    note = forms.CharField(
        label=_("Motif du refus (envoyé au client)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PolicyForm(forms.ModelForm):
    class Meta:
        model = PortalPolicy
        fields = ["link_days", "promise_max_days", "plan_max_instalments", "claim_hold_days"]
