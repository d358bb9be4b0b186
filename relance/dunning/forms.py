"""Dunning forms: parse what people type; relance.dunning.actions writes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .calls import CallReport
from .models import Dispute, Promise, Scenario, Step

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
    """One invoice, wholly or partly contested; the owner is a colleague (the customer's sales
    rep, say), told by e-mail, or whoever opens it."""

    invoice = forms.ModelChoiceField(label=_("Facture"), queryset=None)
    reason = forms.ChoiceField(label=_("Motif"), choices=Dispute.Reason.choices)
    amount = forms.DecimalField(
        label=_("Montant contesté"),
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
        help_text=_("Vide : toute la facture. La facture n'est plus relancée, même en partie."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label=_("Responsable"),
        queryset=None,
        required=False,
        empty_label=_("Moi-même"),
        help_text=_("Prévenu par e-mail."),
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = _open_invoices(customer)
        members = _members(customer.company)
        if customer.sales_rep_id:
            members = members | get_user_model().objects.filter(pk=customer.sales_rep_id)
        self.fields["owner"].queryset = members.distinct().order_by("username")


class PromiseForm(forms.Form):
    promised_on = forms.DateField(label=_("Date promise"), widget=DATE)
    amount = forms.DecimalField(
        label=_("Montant"),
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
        help_text=_("Vide : tout ce que doivent les factures cochées (ou le compte)."),
    )
    invoices = forms.ModelMultipleChoiceField(
        label=_("Factures"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channel = forms.ChoiceField(
        label=_("Reçue par"),
        choices=[("", "—"), *Promise.Channel.choices],
        required=False,
        initial=Promise.Channel.CALL,
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = _open_invoices(customer)


class ResolveDisputeForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Résolution"), choices=Dispute.Resolution.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


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


class CallOutcomeForm(forms.Form):
    """What happened on a call (or task): the outcome and what it needs (relance.dunning.calls).

    `numbers` are (value, label) pairs "contact id:number" of the customer's contacts."""

    outcome = forms.ChoiceField(label=_("Issue"), widget=forms.RadioSelect)
    called = forms.ChoiceField(label=_("Numéro appelé"), required=False)
    note = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    promised_on = forms.DateField(label=_("Date promise"), required=False, widget=DATE)
    amount = forms.DecimalField(
        label=_("Montant promis"), required=False, min_value=Decimal("0.01"), decimal_places=2
    )
    invoices = forms.ModelMultipleChoiceField(
        label=_("Factures concernées"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune cochée : toutes les factures de la relance."),
    )
    dispute_reason = forms.ChoiceField(
        label=_("Motif du litige"),
        choices=Dispute.Reason.choices,
        initial=Dispute.Reason.OTHER,
        required=False,
    )
    next_action_on = forms.DateField(
        label=_("Prochaine action le"),
        required=False,
        widget=DATE,
        help_text=_("Vide : le prochain jour ouvré pour un nouvel essai."),
    )

    def __init__(self, *args, outcomes, numbers, invoices, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(o.value, o.label) for o in outcomes]
        self.fields["called"].choices = [("", "—"), *numbers]
        self.fields["invoices"].queryset = invoices
        self.contacts = {contact.pk: contact for contact in contacts}

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == "promise" and not (data.get("promised_on") and data.get("amount")):
            raise forms.ValidationError(_("Une promesse demande une date et un montant."))
        if outcome == "wrong_number" and not data.get("called"):
            self.add_error("called", _("Indiquez le numéro erroné."))
        return data

    def report(self) -> CallReport:
        data = self.cleaned_data
        contact_id, _sep, phone = (data.get("called") or "").partition(":")
        return CallReport(
            outcome=data["outcome"],
            note=data["note"],
            contact=self.contacts.get(int(contact_id)) if contact_id else None,
            phone=phone,
            next_action_on=data["next_action_on"],
            promised_on=data["promised_on"],
            amount=data["amount"],
            invoices=list(data["invoices"]),
            dispute_reason=data.get("dispute_reason") or "other",
        )
