"""Forms of the print queue and of a registered letter's follow-up."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Letter
from .services import DELIVERY


class DeliveryForm(forms.Form):
    """What the post office says of a registered letter, and when."""

    status = forms.ChoiceField(
        label=_("Distribution"),
        choices=[(status.value, status.label) for status in DELIVERY],
    )
    on = forms.DateField(label=_("Le"), widget=forms.DateInput(attrs={"type": "date"}))


class ReceiptForm(forms.Form):
    """The signed acknowledgement of receipt, scanned."""

    receipt = forms.FileField(label=_("Accusé de réception signé (PDF, JPEG ou PNG)"))


CHANNEL_FILTERS = [
    ("", _("Tous les courriers")),
    ("letter", _("Courrier simple")),
    ("registered_letter", _("Lettre recommandée")),
]
LETTER_STATUSES = Letter.Status
