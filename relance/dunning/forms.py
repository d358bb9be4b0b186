"""Dunning forms: parse what people type; relance.dunning.actions writes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Dispute, Scenario, Step

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _open_invoices(customer):
    return customer.invoices.filter(is_credit=False, open_amount__gt=0).order_by("due_on")


def _members(company):
    return get_user_model().objects.filter(memberships__company=company).order_by("username")


class ReminderDecisionForm(forms.Form):
    """The approver may correct the text before approving, or say why they reject."""

    subject = forms.CharField(label=_("Objet"), max_length=200)
    body_text = forms.CharField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 8}))
    note = forms.CharField(label=_("Motif du refus"), required=False, max_length=500)
    decision = forms.ChoiceField(
        choices=[("approve", _("Valider")), ("reject", _("Refuser"))], widget=forms.HiddenInput
    )


class ReminderResolutionForm(forms.Form):
    """An uncertain reminder: it left, or send it again; a failed one: again, or give up."""

    decision = forms.ChoiceField(
        choices=[
            ("sent", _("Elle est partie")),
            ("resend", _("Renvoyer")),
            ("cancel", _("Abandonner")),
        ]
    )
    note = forms.CharField(label=_("Commentaire"), required=False, max_length=500)


class HoldForm(forms.Form):
    invoice = forms.ModelChoiceField(
        label=_("Facture"),
        queryset=None,
        required=False,
        empty_label=_("Tout le client"),
    )
    reason = forms.CharField(label=_("Motif"), max_length=200)
    ends_on = forms.DateField(label=_("Jusqu'au"), required=False, widget=DATE)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = _open_invoices(customer)


class DisputeForm(forms.Form):
    invoice = forms.ModelChoiceField(label=_("Facture"), queryset=None)
    reason = forms.ChoiceField(label=_("Motif"), choices=Dispute.Reason.choices)
    amount = forms.DecimalField(
        label=_("Montant contesté"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=_("Vide : toute la facture."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(label=_("Responsable"), queryset=None, required=False)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = _open_invoices(customer)
        self.fields["owner"].queryset = _members(customer.company)


class PromiseForm(forms.Form):
    promised_on = forms.DateField(label=_("Date promise"), widget=DATE)
    amount = forms.DecimalField(label=_("Montant"), min_value=0, decimal_places=2)
    invoices = forms.ModelMultipleChoiceField(
        label=_("Factures"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channel = forms.CharField(label=_("Reçue par"), required=False, max_length=20)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = _open_invoices(customer)


class ResolveDisputeForm(forms.Form):
    resolution = forms.CharField(label=_("Résolution"), required=False)


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ["name", "send_thanks", "is_silent"]


class StepForm(forms.ModelForm):
    class Meta:
        model = Step
        fields = [
            "level",
            "name",
            "offset_days",
            "min_gap_days",
            "channel",
            "min_amount",
            "needs_approval",
            "mentions_penalties",
            "escalation",
        ]

    def validate_unique(self):
        # Levels are checked together in StepFormSet.clean: steps may swap levels.
        pass


class BaseStepFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        levels = [
            form.cleaned_data.get("level")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(levels) != len(set(levels)):
            raise forms.ValidationError(_("Deux étapes ont le même niveau."))


StepFormSet = forms.modelformset_factory(
    Step, form=StepForm, formset=BaseStepFormSet, extra=1, can_delete=True
)


class StepTemplateForm(forms.Form):
    language = forms.ChoiceField(label=_("Langue"), choices=settings.LANGUAGES)
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 14}))
