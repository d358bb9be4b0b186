"""Letters on paper: a letter or registered-letter reminder once printed, the PDF kept as
evidence, its posting and, for a registered letter, its tracking and acknowledgement."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Letter(models.Model):
    """A reminder printed on paper. The PDF is stored the first time it is printed and never
    rendered again: every later download, and the evidence export, read that file."""

    class Status(models.TextChoices):
        PRINTED = "printed", _("Imprimée")
        SENT = "sent", _("Postée")
        DELIVERED = "delivered", _("Distribuée")
        REFUSED = "refused", _("Refusée par le destinataire")
        NOT_CLAIMED = "not_claimed", _("Non réclamée")

    reminder = models.OneToOneField(
        "dunning.Reminder", on_delete=models.PROTECT, related_name="letter"
    )
    # The PDF as printed: path under settings.UPLOAD_ROOT and its SHA-256.
    pdf_path = models.CharField(max_length=300)
    pdf_sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(default=1)
    printed_at = models.DateTimeField(_("imprimée le"))
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.PRINTED
    )
    posted_at = models.DateTimeField(_("postée le"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tracking_number = models.CharField(_("numéro de suivi"), max_length=40, blank=True)
    # Day the post office delivered it, or presented it (refused, not claimed).
    delivered_on = models.DateField(
        _("date de distribution ou de présentation"), null=True, blank=True
    )
    # The signed acknowledgement of receipt, scanned: path under UPLOAD_ROOT and SHA-256.
    receipt_path = models.CharField(max_length=300, blank=True)
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    receipt_uploaded_at = models.DateTimeField(null=True, blank=True)
    # Sent electronically (relance/letters/providers/): the provider and its id of the
    # letter, polled by `relance letters sync`. Empty: posted on paper.
    provider = models.CharField(_("prestataire"), max_length=20, blank=True)
    provider_id = models.CharField(_("identifiant chez le prestataire"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("courrier")
        verbose_name_plural = _("courriers")

    def __str__(self) -> str:
        return f"{self.reminder_id}: {self.status}"
