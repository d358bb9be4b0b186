"""Forms of the "Jetons d'API" and "Webhooks" pages; relance.api.tokens and
relance.api.services write."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SUBSCRIBABLE


class TokenForm(forms.Form):
    LIFETIMES = [
        ("30", _("30 jours")),
        ("90", _("90 jours")),
        ("365", _("1 an")),
        ("", _("Sans expiration")),
    ]

    name = forms.CharField(
        label=_("Nom"),
        max_length=100,
        help_text=_("À quoi sert ce jeton (ex. : « ERP », « tableau de bord »)."),
    )
    lifetime = forms.ChoiceField(
        label=_("Expiration"), choices=LIFETIMES, required=False, initial="90"
    )

    def expires_at(self):
        days = self.cleaned_data.get("lifetime")
        return timezone.now() + timedelta(days=int(days)) if days else None


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Adresse de réception"),
        max_length=500,
        assume_scheme="https",
        validators=[
            URLValidator(
                schemes=["https", "http"],
                message=_("Saisissez une adresse https:// (ou http://)."),
            )
        ],
        help_text=_("Relance y envoie un POST JSON signé pour chaque événement choisi."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Événements"),
        choices=[(event.value, f"{event.value} — {event.label}") for event in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Actif"), required=False, initial=True)
