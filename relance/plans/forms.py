"""Payment plan forms: parse what people type; relance.plans.services writes."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_LINE = re.compile(r"^\s*(\S+)\s+(.+?)\s*$")


class PaymentPlanForm(forms.Form):
    """The invoices covered, then either N monthly instalments from a first date, or the
    schedule typed line by line ("date amount")."""

    invoices = forms.ModelMultipleChoiceField(
        label=_("Factures couvertes"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    agreed_on = forms.DateField(label=_("Convenu le"), widget=DATE)
    count = forms.IntegerField(
        label=_("Nombre d'échéances"), min_value=1, max_value=60, required=False, initial=3
    )
    first_on = forms.DateField(
        label=_("Première échéance le"),
        widget=DATE,
        required=False,
        help_text=_(
            "Puis le même jour chaque mois ; une date qui tombe un week-end ou un jour férié "
            "passe au jour ouvré suivant."
        ),
    )
    schedule = forms.CharField(
        label=_("Ou l'échéancier, une échéance par ligne"),
        help_text=_(
            "« 2026-12-15 400,00 » : la date puis le montant ; remplace les deux champs "
            "ci-dessus. Week-ends et jours fériés : reportée au jour ouvré suivant."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = customer.invoices.filter(
            is_credit=False, open_amount__gt=0
        ).order_by("due_on", "number")

    def clean_schedule(self) -> list[tuple[date, Decimal]]:
        found = []
        for number, line in enumerate(self.cleaned_data["schedule"].splitlines(), 1):
            if not line.strip():
                continue
            match = _LINE.match(line)
            try:
                day = date.fromisoformat(match.group(1)) if match else None
                amount = (
                    Decimal(match.group(2).replace(" ", "").replace(",", ".")) if match else None
                )
            except (ValueError, InvalidOperation):
                day = amount = None
            if day is None or amount is None:
                raise forms.ValidationError(
                    _("Ligne %(line)s : attendu « AAAA-MM-JJ montant ».") % {"line": number}
                )
            found.append((day, amount))
        return found

    def clean(self):
        data = super().clean()
        if not data.get("schedule") and not (data.get("count") and data.get("first_on")):
            raise forms.ValidationError(
                _("Donnez le nombre d'échéances et la première date, ou l'échéancier.")
            )
        return data


class CancelPlanForm(forms.Form):
    note = forms.CharField(label=_("Motif"), required=False, max_length=200)


class InstalmentTemplateForm(forms.Form):
    """The subject and text of an instalment reminder in one language (docs/templates.md)."""

    language = forms.ChoiceField(choices=settings.LANGUAGES, widget=forms.HiddenInput, initial="fr")
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 16}))
